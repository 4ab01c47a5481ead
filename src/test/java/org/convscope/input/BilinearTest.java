package org.convscope.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class BilinearTest {
  @Test
  void sameSizeIsTheIdentity() {
    float[] src = {0.1f, 0.7f, 0.3f, 0.9f, 0.2f, 0.4f};
    assertArrayEquals(src, Bilinear.resize(src, 1, 2, 3, 2, 3));
  }

  @Test
  void enlargingInterpolatesBetweenPixelCentresAndClampsAtTheEdges() {
    // Output centres at 0.25, 0.75, 1.25, 1.75 in input pixels; input centres at 0.5 and 1.5.
    float[] out = Bilinear.resize(new float[] {4, 8}, 1, 1, 2, 1, 4);
    assertArrayEquals(new float[] {4, 0.75f * 4 + 0.25f * 8, 0.25f * 4 + 0.75f * 8, 8}, out, 1e-6f);
  }

  @Test
  void enlargingIsSeparableBilinear() {
    float[] out = Bilinear.resize(new float[] {0, 1, 2, 3}, 1, 2, 2, 4, 4);
    // Pixel (1,1) sits at (0.25, 0.25) from the first input centre: weights 3/4 and 1/4 on each axis.
    float expected = 0.75f * 0.75f * 0 + 0.75f * 0.25f * 1 + 0.25f * 0.75f * 2 + 0.25f * 0.25f * 3;
    assertEquals(expected, out[1 * 4 + 1], 1e-6f);
    assertEquals(3, out[15], 1e-6f);
  }

  @Test
  void shrinkingAveragesWithAStretchedTriangle() {
    // Halving: the tent spans 2 input pixels each side of centre 1.0, giving weights 0.75, 0.75, 0.25 -> /1.75.
    float[] out = Bilinear.resize(new float[] {7, 14, 21, 28}, 1, 1, 4, 1, 2);
    assertEquals((3 * 7 + 3 * 14 + 1 * 21) / 7f, out[0], 1e-5f);
    assertEquals((1 * 14 + 3 * 21 + 3 * 28) / 7f, out[1], 1e-5f);
    // A third: centre 1.5, tent half-width 3, weights 2/3, 1, 2/3 -> 2/7, 3/7, 2/7.
    float[] third = Bilinear.resize(new float[] {1, 2, 5}, 1, 3, 1, 1, 1);
    assertEquals((2 * 1 + 3 * 2 + 2 * 5) / 7f, third[0], 1e-5f);
  }

  @Test
  void matchesPillowsBilinearResize() {
    // Reference: Pillow 9.4, Image.fromarray(a, "F").resize((w, h), Image.BILINEAR), a[i] = 37 i mod 101.
    float[] src = new float[5 * 6];
    for (int i = 0; i < src.length; i++) src[i] = (37 * i) % 101;
    float[] shrunk = {33.875f, 59.252525329589844f, 44.85353469848633f, 45.3636360168457f, 61.8238639831543f,
        50.28282928466797f, 54.247474670410156f, 39.45454406738281f};
    assertArrayEquals(shrunk, Bilinear.resize(src, 1, 5, 6, 2, 4), 1e-4f);
    float[] tallNarrow = {26.428571701049805f, 42.0f, 57.57143020629883f, 37.85714340209961f, 53.42856979370117f,
        44.26530456542969f, 48.020408630371094f, 56.89285659790039f, 40.0f, 52.0f, 44.125f, 54.28571319580078f,
        66.28571319580078f, 49.39285659790039f, 37.65306091308594f, 62.020408630371094f, 54.66071319580078f,
        39.57143020629883f, 48.71428680419922f, 58.875f, 51.0f};
    assertArrayEquals(tallNarrow, Bilinear.resize(src, 1, 5, 6, 7, 3), 1e-4f);
  }

  @Test
  void planesAreResizedIndependentlyAndConstantsStayConstant() {
    int h = 37;
    int w = 23;
    float[] src = new float[2 * h * w];
    java.util.Arrays.fill(src, 0, h * w, 0.3f);
    java.util.Arrays.fill(src, h * w, 2 * h * w, -1.5f);
    float[] out = Bilinear.resize(src, 2, h, w, 5, 61);
    for (int i = 0; i < 5 * 61; i++) assertEquals(0.3f, out[i], 1e-6f);
    for (int i = 5 * 61; i < 2 * 5 * 61; i++) assertEquals(-1.5f, out[i], 1e-6f);
  }
}
