/**
 * The web explorer behind {@code convscope serve}: a local Javalin server that lets a user click through their
 * own model, a sibling adapter of {@code org.convscope.cli} over the same library calls. Nothing below it
 * imports it.
 *
 * <ul>
 *   <li>{@link org.convscope.web.Explorer}: the server and its routes; pages at stable URLs (/model,
 *       /layer/{name}, /layer/{name}/unit/{c}, /image/{index}, /image/upload/{hash}, /embedding), JSON under
 *       /api, files only from the static resources by name and from the cache by key.</li>
 *   <li>{@link org.convscope.web.Workspace}: the model, its hash and layer table, the dataset, uploads.</li>
 *   <li>{@link org.convscope.web.ResultCache} and {@link org.convscope.web.Job}: results on disk keyed by
 *       model hash, analysis and parameters, written atomically; one job per key however many requests ask,
 *       run on a small worker pool, with progress and cancellation.</li>
 *   <li>Analyses, EmbeddingView and the page classes: thin adapters that call {@code inspect}, {@code explain},
 *       {@code units} and {@code embed} and draw with {@code render} and {@code report}.</li>
 * </ul>
 *
 * <p>The browser side is one script and one style sheet of our own (resources {@code static/}); the pages send a
 * Content-Security-Policy that allows nothing from other origins.
 */
package org.convscope.web;
