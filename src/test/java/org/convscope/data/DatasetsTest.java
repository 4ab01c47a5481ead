package org.convscope.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.convscope.input.Preprocessing;
import org.convscope.tensor.FileFormatException;
import org.convscope.tensor.Npy;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DatasetsTest {
  @TempDir Path dir;

  @Test
  void specsAreRecognizedByContent() throws IOException {
    Path idx = dir.resolve("digits.bin");
    Files.write(idx, IdxDatasetTest.gzip(IdxDatasetTest.idx(8, new int[] {2, 1, 1}, new byte[] {0, (byte) 255})));
    Dataset fromIdx = Datasets.open(idx.toString());
    assertInstanceOf(IdxDataset.class, fromIdx);
    assertEquals(1f, fromIdx.batch(new int[] {1}).images().data()[0]);

    Path npy = dir.resolve("images.data");
    Npy.write(npy, Tensor.of(new float[] {0.5f, 0.25f}, 2, 1, 1, 1));
    Dataset fromNpy = Datasets.open(npy.toString());
    assertInstanceOf(NpyDataset.class, fromNpy);
    assertEquals(0.25f, fromNpy.batch(new int[] {1}).images().data()[0]);

    Path folder = dir.resolve("folder");
    Files.createDirectories(folder.resolve("only"));
    BufferedImage white = new BufferedImage(3, 3, BufferedImage.TYPE_BYTE_GRAY);
    white.getRaster().setSample(1, 1, 0, 255);
    ImageIO.write(white, "png", folder.resolve("only/w.png").toFile());
    Dataset fromFolder = Datasets.open(folder.toString(), Preprocessing.plain(1));
    assertInstanceOf(ImageFolderDataset.class, fromFolder);
    assertEquals(1f, fromFolder.batch(new int[] {0}).images().get(0, 0, 1, 1));
    assertEquals(3, Datasets.open(folder.toString()).channels(), "plain RGB by default");
  }

  @Test
  void unknownSpecsSayWhatIsExpected() throws IOException {
    NoSuchFileException missing = assertThrows(NoSuchFileException.class, () -> Datasets.open("mnist"));
    assertEquals("mnist: no such file or folder; " + Datasets.EXPECTED, missing.getMessage());
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello");
    assertEquals(text + ": not a dataset; " + Datasets.EXPECTED,
        assertThrows(FileFormatException.class, () -> Datasets.open(text.toString())).getMessage());
    Path npy = dir.resolve("a.npy");
    Npy.write(npy, Tensor.zeros(1, 1, 1, 1));
    assertEquals(text + ": not a .npy file; IMAGES,LABELS pairs must both be .npy",
        assertThrows(FileFormatException.class, () -> Datasets.open(npy + "," + text)).getMessage());
  }
}
