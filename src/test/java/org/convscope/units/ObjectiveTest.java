package org.convscope.units;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class ObjectiveTest {
  @Test
  void parsesTheThreeKindsWithNumbersTakenFromTheEnd() {
    assertEquals(new Objective.ClassScore(7), Objective.parse("class:7"));
    assertEquals(new Objective.ChannelMean("layer4.1", 12), Objective.parse("channel:layer4.1:12"));
    assertEquals(new Objective.Neuron("conv1/Relu:0", 3, 4, 5), Objective.parse("neuron:conv1/Relu:0:3:4:5"));
    assertEquals(new Objective.ChannelMean("conv1/Relu:0", 2), Objective.parse("channel:conv1/Relu:0:2"));
    for (String text : new String[] {"class:7", "channel:features.3:0", "neuron:a:1:2:3"}) {
      assertEquals(text, Objective.parse(text).describe());
    }
  }

  @Test
  void malformedObjectivesSayWhatWasExpected() {
    String expected = "expected class:K, channel:LAYER:C or neuron:LAYER:C:Y:X";
    assertEquals("objective 'logit': " + expected, message("logit"));
    assertEquals("objective 'unit:3': unknown kind 'unit'; " + expected, message("unit:3"));
    assertEquals("objective 'class:x': 'x' is not a whole number; " + expected, message("class:x"));
    assertEquals("objective 'class:1:2': " + expected, message("class:1:2"));
    assertEquals("objective 'class:-1': -1 is negative", message("class:-1"));
    assertEquals("objective 'channel:3': " + expected, message("channel:3"));
    assertEquals("objective 'channel::3': the layer name is missing; " + expected, message("channel::3"));
    assertEquals("objective 'neuron:layer1:3:4': " + expected, message("neuron:layer1:3:4"));
    assertEquals("objective 'neuron:layer1:3:4:y': 'y' is not a whole number; " + expected, message("neuron:layer1:3:4:y"));
  }

  private static String message(String text) {
    return assertThrows(IllegalArgumentException.class, () -> Objective.parse(text)).getMessage();
  }
}
