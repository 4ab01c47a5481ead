package org.convscope.report;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.image.BufferedImage;
import java.util.List;
import org.convscope.data.InMemoryDataset;
import org.convscope.inspect.ReceptiveField;
import org.convscope.render.ImageOps;
import org.convscope.tensor.Tensor;
import org.convscope.units.MaximallyActivatingPatches;
import org.convscope.units.TopActivations;
import org.junit.jupiter.api.Test;

class UnitPicturesTest {
  private static final float[][] COLOURS = {{0.9f, 0.1f, 0.1f}, {0.1f, 0.9f, 0.1f}, {0.1f, 0.1f, 0.9f}};

  /** As ImageOps shows a pixel: each value rounded to 8 bits in double precision. */
  private static int rgb(float[] c) {
    return (int) Math.round(c[0] * 255.0) << 16 | (int) Math.round(c[1] * 255.0) << 8 | (int) Math.round(c[2] * 255.0);
  }

  @Test
  void maskOverlayKeepsTheMaskDimsTheRestAndOutlinesTheEdge() {
    Tensor pixels = Tensor.zeros(3, 5, 5);
    for (int c = 0; c < 3; c++) for (int i = 0; i < 25; i++) pixels.data()[c * 25 + i] = new float[] {0.8f, 0.4f, 0.2f}[c];
    Tensor mask = Tensor.zeros(5, 5);
    for (int y = 1; y <= 3; y++) for (int x = 1; x <= 3; x++) mask.data()[y * 5 + x] = 1;
    BufferedImage out = UnitPictures.maskOverlay(pixels, mask);
    assertEquals(204 << 16 | 102 << 8 | 51, out.getRGB(2, 2) & 0xffffff, "inside: the image");
    assertEquals(61 << 16 | 31 << 8 | 15, out.getRGB(0, 0) & 0xffffff, "outside: dimmed to 30%");
    assertEquals(UnitPictures.MASK_EDGE.getRGB() & 0xffffff, out.getRGB(1, 2) & 0xffffff, "edge: outlined");
    assertEquals(UnitPictures.MASK_EDGE.getRGB() & 0xffffff, out.getRGB(3, 3) & 0xffffff);
  }

  @Test
  void patchGridHasOneRowPerUnitWithClippedPatchesFramedAndFilled() {
    // Three 8x8 images of one colour each; a field of 4 pixels, jump 2, start -1.
    Tensor images = Tensor.zeros(3, 3, 8, 8);
    for (int n = 0; n < 3; n++) for (int c = 0; c < 3; c++) for (int i = 0; i < 64; i++) images.data()[(n * 3 + c) * 64 + i] = COLOURS[n][c];
    InMemoryDataset data = new InMemoryDataset("colours", images, new int[] {-1, -1, -1}, List.of());
    ReceptiveField.Axis axis = new ReceptiveField.Axis(4, 2, -1);
    MaximallyActivatingPatches.Patch inside = patch(0, 2, 1, 1, 1, false);
    MaximallyActivatingPatches.Patch corner = patch(0, 0, 0, -1, -1, true);
    MaximallyActivatingPatches.Patch second = patch(5, 1, 2, 3, 3, false);
    MaximallyActivatingPatches.Result result = new MaximallyActivatingPatches.Result("layer", new ReceptiveField(axis, axis, false), 3,
        List.of(new MaximallyActivatingPatches.Unit(0, List.of(inside, corner)), new MaximallyActivatingPatches.Unit(5, List.of(second))));
    BufferedImage grid = UnitPictures.patches(result, data, 64, null);

    // Each 4x4 patch becomes a 64x64 tile (16 times, nearest).
    int[] blue = box(grid, rgb(COLOURS[2]));
    assertEquals(64, blue[2] - blue[0] + 1);
    assertEquals(64, blue[3] - blue[1] + 1);
    int x0 = blue[0];
    int y0 = blue[1];
    // The clipped patch is the next cell of the row: 64 pixels, a 2-pixel frame on each side, a 2-pixel gap.
    int x1 = x0 + 64 + 2 * 2 + 2;
    int[] red = box(grid, rgb(COLOURS[0]));
    assertArrayEquals(new int[] {x1 + 16, y0 + 16, x1 + 63, y0 + 63}, red, "the image fills the field but its first row and column");
    assertEquals(128 << 16 | 128 << 8 | 128, grid.getRGB(x1, y0) & 0xffffff, "grey where the field lies outside the image");
    assertEquals(UnitPictures.CLIPPED.getRGB() & 0xffffff, grid.getRGB(x1 - 1, y0 + 30) & 0xffffff, "the clipped patch is framed");
    assertEquals(UnitPictures.CLIPPED.getRGB() & 0xffffff, grid.getRGB(x1 + 65, y0 - 2) & 0xffffff);
    assertEquals(Color.WHITE.getRGB() & 0xffffff, grid.getRGB(x0 - 1, y0 + 30) & 0xffffff, "the other is not");
    // The second unit's row starts below, in the same column.
    int[] green = box(grid, rgb(COLOURS[1]));
    assertEquals(x0, green[0]);
    assertEquals(64, green[3] - green[1] + 1);
    assertTrue(green[1] > y0 + 64 + 2, "below the first row: " + green[1]);
  }

  @Test
  void smallImagesAreEnlargedByAWholeFactor() {
    BufferedImage small = ImageOps.fromTensor(Tensor.full(0.5f, 1, 12, 10));
    BufferedImage big = UnitPictures.enlarged(small, 224);
    assertEquals(180, big.getWidth(), "12 pixels tall: 18 times");
    assertEquals(216, big.getHeight());
    assertEquals(small, UnitPictures.enlarged(small, 12));
  }

  private static MaximallyActivatingPatches.Patch patch(int channel, int image, int position, int top, int left, boolean clipped) {
    return new MaximallyActivatingPatches.Patch(new TopActivations.Activation(channel, 1, image, position, position), -1, top, left, 4, 4,
        clipped);
  }

  /** {left, top, right, bottom} of the pixels of exactly this colour. */
  private static int[] box(BufferedImage image, int rgb) {
    int[] box = {Integer.MAX_VALUE, Integer.MAX_VALUE, -1, -1};
    for (int y = 0; y < image.getHeight(); y++) {
      for (int x = 0; x < image.getWidth(); x++) {
        if ((image.getRGB(x, y) & 0xffffff) != rgb) continue;
        box[0] = Math.min(box[0], x);
        box[1] = Math.min(box[1], y);
        box[2] = Math.max(box[2], x);
        box[3] = Math.max(box[3], y);
      }
    }
    return box;
  }
}
