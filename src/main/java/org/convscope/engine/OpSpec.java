package org.convscope.engine;

/** What an {@link OpFactory} needs to build the op for one node. */
public record OpSpec(String nodeName, String opType, Attributes attributes, int opset, int inputCount, int outputCount) {

  /** An {@link InvalidModelException} naming this node. */
  public InvalidModelException invalid(String problem) {
    return new InvalidModelException(opType + " node '" + nodeName + "': " + problem);
  }
}
