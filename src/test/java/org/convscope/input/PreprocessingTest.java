package org.convscope.input;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessingTest {
  @Test
  void presets() {
    Preprocessing imagenet = Preprocessing.named("imagenet");
    assertEquals(new Preprocessing.ShorterSideThenCrop(256, 224, 224), imagenet.resize());
    assertEquals(List.of(0.485f, 0.456f, 0.406f), imagenet.mean());
    assertEquals(List.of(0.229f, 0.224f, 0.225f), imagenet.std());
    assertArrayEquals(new int[] {224, 224}, imagenet.outputSize(480, 640));
    Preprocessing plain = Preprocessing.named("plain");
    assertEquals(new Preprocessing.Keep(), plain.resize());
    assertArrayEquals(new int[] {480, 640}, plain.outputSize(480, 640));
    assertEquals(Preprocessing.plain(1), plain.withChannels(1));
    assertEquals(List.of(0f), plain.withChannels(1).mean());
  }

  @Test
  void invalidSettingsAreRefusedWithTheReason() {
    assertEquals("unknown preprocessing 'vgg'; expected imagenet or plain",
        assertThrows(IllegalArgumentException.class, () -> Preprocessing.named("vgg")).getMessage());
    assertThrows(IllegalArgumentException.class, () -> Preprocessing.plain(2));
    assertThrows(IllegalArgumentException.class,
        () -> new Preprocessing(new Preprocessing.Keep(), 3, List.of(0f), List.of(1f, 1f, 1f)));
    assertThrows(IllegalArgumentException.class,
        () -> new Preprocessing(new Preprocessing.Keep(), 1, List.of(0f), List.of(0f)));
    assertThrows(IllegalArgumentException.class, () -> new Preprocessing.ShorterSideThenCrop(200, 224, 224));
    assertThrows(IllegalArgumentException.class, () -> new Preprocessing.To(0, 5));
    assertThrows(IllegalArgumentException.class, () -> Preprocessing.imagenet().withChannels(1));
  }
}
