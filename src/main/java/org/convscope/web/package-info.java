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
 *   <li>{@link org.convscope.web.ResultCache} cancels a running job by interrupting its worker thread as well: the
 *       engine then stops between two nodes ({@link org.convscope.engine.Cancelled}), so the explanation methods,
 *       which have no cancellation check of their own, stop too.</li>
 *   <li>{@link org.convscope.web.FeatureStore}: the feature database of {@code serve --db}, checked at startup
 *       against the model and dataset; PixelSearch: every map point's pixel-space neighbours over the whole
 *       dataset in one pass.</li>
 *   <li>{@link org.convscope.web.StaticSite}: a running explorer's pages written as files that open from disk
 *       ({@code convscope report --explorer}), links made relative, explanations and the t-SNE data put in the
 *       pages; explorer.js reads {@code data-static} on the body to look for thumbnails beside the page.</li>
 *   <li>Analyses, EmbeddingView and the page classes: thin adapters that call {@code inspect}, {@code explain},
 *       {@code units} and {@code embed} and draw with {@code render} and {@code report}.</li>
 * </ul>
 *
 * <p>The browser side is one script and one style sheet of our own (resources {@code static/}); the pages send a
 * Content-Security-Policy that allows nothing from other origins.
 */
package org.convscope.web;
