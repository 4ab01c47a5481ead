package org.convscope.embed;

/** A search result: the item and its distance from the query under the space's metric. */
public record Neighbor(Item item, double distance) {}
