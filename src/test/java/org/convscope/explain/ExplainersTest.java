package org.convscope.explain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.convscope.engine.InvalidInputException;
import org.convscope.tensor.Tensor;
import org.junit.jupiter.api.Test;

class ExplainersTest {
  private static final List<String> NAMES = List.of("occlusion", "rise", "saliency", "input-x-gradient", "smoothgrad",
      "integrated-gradients", "deconvnet", "guided-backprop", "cam", "gradcam", "gradcam++", "layercam", "scorecam",
      "guided-gradcam");

  @Test
  void theRegistryHoldsEveryMethodByItsName() {
    assertEquals(NAMES, Explainers.names());
    for (String name : NAMES) assertEquals(name, Explainers.create(name).name());
  }

  @Test
  void listsParseWithAllAndWithoutRepeats() {
    assertEquals(List.of("gradcam", "saliency"),
        Explainers.parse(" gradcam, saliency,gradcam ", 4).stream().map(Explainer::name).toList());
    assertEquals(NAMES, Explainers.parse("all", 4).stream().map(Explainer::name).toList());
  }

  @Test
  void unknownAndMissingNamesAreClearErrors() {
    InvalidInputException unknown = assertThrows(InvalidInputException.class, () -> Explainers.parse("saliency,gradcamm", 4));
    assertEquals("unknown method 'gradcamm'; known methods: " + String.join(", ", NAMES), unknown.getMessage());
    InvalidInputException empty = assertThrows(InvalidInputException.class, () -> Explainers.parse(" , ", 4));
    assertEquals("no method given; known methods: " + String.join(", ", NAMES) + " (or all)", empty.getMessage());
    assertThrows(InvalidInputException.class, () -> Explainers.create("rise", 0));
  }

  @Test
  void everyMethodGivesFiniteMapsOfItsKindsShape() {
    Tensor x = TinyNets.random(6, 2, 2, 8, 8);
    Query query = Query.forClasses(TinyNets.stridedSquaredHead(), x, new int[] {0, 2}, null);
    for (Explainer e : Explainers.parse("all", 8)) {
      Attribution a = e.explain(query);
      assertEquals(e.name(), a.method());
      assertEquals(e.kind(), a.kind());
      int[] expected = switch (e.kind()) {
        case INPUT -> new int[] {2, 2, 8, 8};
        case LAYER -> new int[] {2, 4, 4};
        case PIXELS -> new int[] {2, 8, 8};
      };
      assertEquals(List.of(expected[0], expected[1], expected[2]), List.of(a.map().shape()[0], a.map().shape()[1], a.map().shape()[2]), e.name());
      assertEquals(expected.length, a.map().rank(), e.name());
      boolean nonZero = false;
      for (float v : a.map().data()) {
        assertTrue(Float.isFinite(v), e.name());
        assertTrue(e.kind().signed() || v >= 0, e.name());
        nonZero |= v != 0;
      }
      assertTrue(nonZero, e.name() + " gave an all-zero map");
    }
  }
}
