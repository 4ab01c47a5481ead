package org.convscope.embed;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.PriorityQueue;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.apache.lucene.document.Document;
import org.apache.lucene.document.Field;
import org.apache.lucene.codecs.KnnVectorsFormat;
import org.apache.lucene.codecs.lucene912.Lucene912Codec;
import org.apache.lucene.codecs.lucene99.Lucene99HnswVectorsFormat;
import org.apache.lucene.document.FieldType;
import org.apache.lucene.document.IntPoint;
import org.apache.lucene.document.KnnFloatVectorField;
import org.apache.lucene.document.StoredField;
import org.apache.lucene.document.StringField;
import org.apache.lucene.index.DirectoryReader;
import org.apache.lucene.index.FloatVectorValues;
import org.apache.lucene.index.IndexWriter;
import org.apache.lucene.index.IndexWriterConfig;
import org.apache.lucene.index.LeafReaderContext;
import org.apache.lucene.index.StoredFields;
import org.apache.lucene.index.Term;
import org.apache.lucene.index.VectorSimilarityFunction;
import org.apache.lucene.search.BooleanClause;
import org.apache.lucene.search.BooleanQuery;
import org.apache.lucene.search.DocIdSetIterator;
import org.apache.lucene.search.IndexSearcher;
import org.apache.lucene.search.KnnFloatVectorQuery;
import org.apache.lucene.search.Query;
import org.apache.lucene.search.ScoreDoc;
import org.apache.lucene.search.TermQuery;
import org.apache.lucene.search.TopDocs;
import org.apache.lucene.store.FSDirectory;
import org.apache.lucene.store.LockObtainFailedException;
import org.apache.lucene.util.Bits;

/**
 * Feature vectors persisted in an Apache Lucene index, searchable by approximate nearest neighbours (Lucene's
 * HNSW graphs; Malkov and Yashunin, "Efficient and robust approximate nearest neighbor search using Hierarchical
 * Navigable Small World graphs", IEEE TPAMI 2020) and exactly, by a scan.
 *
 * <p>Each document is one vector with its {@link Item}: dataset spec and index, image path, label and predicted
 * class. Each {@link Space} (model, layer, pooling, metric) has its own vector field, so spaces never mix, and a
 * {@code space} term to select its documents. Spaces and datasets are described in the commit's user data, which
 * Lucene writes atomically with the documents: an {@link Indexer} commits every N vectors, and a process killed
 * in between leaves the index as of the last commit, which opens and can be added to.
 *
 * <p>Cosine spaces store unit vectors under Lucene's dot-product similarity (what Lucene recommends over its
 * cosine, and it accepts the zero vector); Euclidean spaces store the vectors as they are.
 */
public final class FeatureDatabase implements Closeable {
  /**
   * Candidates the HNSW search collects before keeping the k best: more costs time and buys recall. On 10,000
   * random 128-d vectors in one segment, recall@10 is 0.84 at 100, 0.96 at 200, 0.99 at 300.
   */
  public static final int DEFAULT_CANDIDATES = 300;
  /** Vectors between commits, by default. */
  public static final int DEFAULT_COMMIT_EVERY = 10_000;

  private static final String SPACE_KEY = "convscope.space.";
  private static final String DATASET_KEY = "convscope.dataset.";
  private static final String GRAPH_KEY = "convscope.graph.";
  private static final String SPACE = "space";
  private static final String DATASET = "dataset";
  private static final String INDEX = "index";
  private static final String PATH = "path";
  private static final String LABEL = "label";
  private static final String PREDICTED = "predicted";
  /** Lucene's indexing buffer: larger means fewer segments, so fewer HNSW graphs to merge and search. */
  private static final double RAM_BUFFER_MB = 256;
  private static final ObjectMapper JSON = new ObjectMapper();
  /**
   * Lucene reports through java.util.logging, on stderr, that this JVM lacks the incubating vector API; that is
   * for its own users to act on, not ours. Held here because the JDK keeps loggers only weakly.
   */
  private static final Logger VECTORIZATION_LOG = Logger.getLogger("org.apache.lucene.internal.vectorization");

  static {
    VECTORIZATION_LOG.setLevel(Level.SEVERE);
  }

  private final Path dir;
  private final FSDirectory directory;
  private DirectoryReader reader;
  private Map<String, Space> spaces;
  private Map<String, DatasetInfo> datasets;

  private FeatureDatabase(Path dir, FSDirectory directory) throws IOException {
    this.dir = dir;
    this.directory = directory;
    refresh();
  }

  /**
   * Opens an existing database.
   *
   * @throws IOException with a one-line message when {@code dir} holds none
   */
  public static FeatureDatabase open(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) throw new IOException(dir + ": no feature database there; make one with convscope embed");
    FSDirectory directory = FSDirectory.open(dir);
    if (!DirectoryReader.indexExists(directory)) {
      directory.close();
      throw new IOException(dir + " is not a feature database; make one with convscope embed");
    }
    return new FeatureDatabase(dir, directory);
  }

  /**
   * Opens the database in {@code dir}, creating it (and the folder) when there is none.
   *
   * @throws IOException when {@code dir} holds other files
   */
  public static FeatureDatabase openOrCreate(Path dir) throws IOException {
    Files.createDirectories(dir);
    FSDirectory directory = FSDirectory.open(dir);
    if (!DirectoryReader.indexExists(directory)) {
      try (Stream<Path> entries = Files.list(dir)) {
        if (entries.anyMatch(p -> !p.getFileName().toString().equals("write.lock"))) {
          directory.close();
          throw new IOException(dir + " holds other files and is not a feature database; choose an empty or new folder");
        }
      }
      try (IndexWriter writer = writer(dir, directory, Map.of())) {
        writer.commit();
      }
    }
    return new FeatureDatabase(dir, directory);
  }

  /**
   * A writer whose HNSW graphs for each vector field are built with that field's options (Lucene's defaults for
   * the others). The options matter only when graphs are built, at flushes and merges; readers need none.
   */
  private static IndexWriter writer(Path dir, FSDirectory directory, Map<String, GraphOptions> graphs) throws IOException {
    IndexWriterConfig config = new IndexWriterConfig().setRAMBufferSizeMB(RAM_BUFFER_MB).setCodec(new Lucene912Codec() {
      @Override
      public KnnVectorsFormat getKnnVectorsFormatForField(String field) {
        GraphOptions g = graphs.getOrDefault(field, GraphOptions.defaults());
        return new Lucene99HnswVectorsFormat(g.maxConnections(), g.beamWidth());
      }
    });
    try {
      return new IndexWriter(directory, config);
    } catch (LockObtainFailedException e) {
      throw new IOException(dir + " is being written by another process", e);
    }
  }

  /** Rereads the latest commit: after an {@link Indexer} closes, or to see another process's commits. */
  public void refresh() throws IOException {
    DirectoryReader next = reader == null ? DirectoryReader.open(directory) : DirectoryReader.openIfChanged(reader);
    if (next == null) return;
    if (reader != null) reader.close();
    reader = next;
    Map<String, Space> s = new LinkedHashMap<>();
    Map<String, DatasetInfo> d = new LinkedHashMap<>();
    for (Map.Entry<String, String> e : reader.getIndexCommit().getUserData().entrySet()) {
      if (e.getKey().startsWith(SPACE_KEY)) s.put(e.getKey().substring(SPACE_KEY.length()), parse(e.getValue(), Space.class));
      if (e.getKey().startsWith(DATASET_KEY)) d.put(e.getKey().substring(DATASET_KEY.length()), parse(e.getValue(), DatasetInfo.class));
    }
    spaces = s;
    datasets = d;
  }

  /** Where the database lives. */
  public Path path() {
    return dir;
  }

  /** Every space, in the order of their ids. */
  public List<Space> spaces() {
    List<Space> out = new ArrayList<>(spaces.values());
    out.sort(Comparator.comparing(Space::id));
    return out;
  }

  /** The dataset with this spec, if the database holds vectors of it. */
  public Optional<DatasetInfo> dataset(String spec) {
    return Optional.ofNullable(datasets.get(spec));
  }

  /** The datasets the space holds vectors of. */
  public List<DatasetInfo> datasets(Space space) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    List<DatasetInfo> out = new ArrayList<>();
    for (DatasetInfo info : datasets.values()) {
      Query query = new BooleanQuery.Builder()
          .add(new TermQuery(new Term(SPACE, space.id())), BooleanClause.Occur.FILTER)
          .add(new TermQuery(new Term(DATASET, info.spec())), BooleanClause.Occur.FILTER)
          .build();
      if (searcher.count(query) > 0) out.add(info);
    }
    return out;
  }

  /** Vectors stored in the space (as of the last commit or refresh). */
  public int count(Space space) throws IOException {
    return new IndexSearcher(reader).count(new TermQuery(new Term(SPACE, space.id())));
  }

  /** The indices of {@code dataset}'s examples that the space already holds, to resume an interrupted run. */
  public BitSet indexed(Space space, String dataset) throws IOException {
    BitSet out = new BitSet();
    IndexSearcher searcher = new IndexSearcher(reader);
    Query query = new BooleanQuery.Builder()
        .add(new TermQuery(new Term(SPACE, space.id())), BooleanClause.Occur.FILTER)
        .add(new TermQuery(new Term(DATASET, dataset)), BooleanClause.Occur.FILTER)
        .build();
    StoredFields stored = searcher.storedFields();
    for (ScoreDoc hit : searcher.search(query, Math.max(1, reader.maxDoc())).scoreDocs) {
      out.set(stored.document(hit.doc).getField(INDEX).numericValue().intValue());
    }
    return out;
  }

  /** The HNSW settings recorded for a space, or Lucene's defaults. */
  public GraphOptions graphOptions(Space space) throws IOException {
    String recorded = reader.getIndexCommit().getUserData().get(GRAPH_KEY + space.id());
    return recorded == null ? GraphOptions.defaults() : parse(recorded, GraphOptions.class);
  }

  /**
   * Starts adding vectors of {@code dataset} to {@code space}, registering both. Holds Lucene's write lock
   * until closed.
   *
   * @param commitEvery vectors between commits: what a killed process can lose at most
   * @throws IllegalArgumentException when the space exists with another dimension
   */
  public Indexer indexer(Space space, DatasetInfo dataset, int commitEvery) throws IOException {
    return indexer(space, dataset, commitEvery, graphOptions(space));
  }

  /**
   * As {@link #indexer(Space, DatasetInfo, int)}, building the space's HNSW graphs with {@code graph}, which the
   * database records for the space: later indexers (and merges) keep using it unless given others.
   */
  public Indexer indexer(Space space, DatasetInfo dataset, int commitEvery, GraphOptions graph) throws IOException {
    if (commitEvery < 1) throw new IllegalArgumentException("commit interval must be at least 1, not " + commitEvery);
    Space existing = spaces.get(space.id());
    if (existing != null && existing.dimension() != space.dimension()) {
      throw new IllegalArgumentException(dir + " holds " + existing.dimension() + "-d vectors of " + existing.describe()
          + "; these have " + space.dimension() + " (images of another size with flat pooling?)");
    }
    Map<String, GraphOptions> graphs = new HashMap<>();
    for (Space other : spaces.values()) graphs.put(vectorField(other), graphOptions(other));
    graphs.put(vectorField(space), graph);
    IndexWriter writer = writer(dir, directory, graphs);
    try {
      Map<String, String> data = new HashMap<>(reader.getIndexCommit().getUserData());
      data.put(SPACE_KEY + space.id(), JSON.writeValueAsString(space));
      data.put(GRAPH_KEY + space.id(), JSON.writeValueAsString(graph));
      data.put(DATASET_KEY + dataset.spec(), JSON.writeValueAsString(dataset));
      writer.setLiveCommitData(data.entrySet());
      writer.commit();
    } catch (IOException | RuntimeException e) {
      writer.close();
      throw e;
    }
    return new Indexer(writer, space, commitEvery);
  }

  /** Adds vectors to one space; commits every N and on close. Not thread-safe. */
  public final class Indexer implements Closeable {
    private final IndexWriter writer;
    private final Space space;
    private final int commitEvery;
    private final FieldType vectorType;
    private long added;
    private long committed;

    private Indexer(IndexWriter writer, Space space, int commitEvery) {
      this.writer = writer;
      this.space = space;
      this.commitEvery = commitEvery;
      this.vectorType = KnnFloatVectorField.createFieldType(space.dimension(), similarity(space.metric()));
    }

    /**
     * Adds one vector (as the model gave it; it is prepared for the space's metric here).
     *
     * @throws IllegalArgumentException when its dimension is not the space's
     */
    public void add(float[] vector, Item item) throws IOException {
      checkDimension(space, vector.length, "vector");
      Document doc = new Document();
      doc.add(new StringField(SPACE, space.id(), Field.Store.NO));
      doc.add(new KnnFloatVectorField(vectorField(space), space.metric().prepare(vector), vectorType));
      doc.add(new StringField(DATASET, item.dataset(), Field.Store.YES));
      doc.add(new IntPoint(INDEX, item.index()));
      doc.add(new StoredField(INDEX, item.index()));
      if (item.path() != null) doc.add(new StoredField(PATH, item.path()));
      doc.add(new StoredField(LABEL, item.label()));
      doc.add(new StoredField(PREDICTED, item.predicted()));
      writer.addDocument(doc);
      added++;
      if (added - committed >= commitEvery) commit();
    }

    /** Makes everything added so far durable. */
    public void commit() throws IOException {
      writer.commit();
      committed = added;
    }

    /** Vectors added through this indexer. */
    public long added() {
      return added;
    }

    /** Commits, releases the write lock and lets the database see the new vectors. */
    @Override
    public void close() throws IOException {
      try {
        commit();
      } finally {
        writer.close();
      }
      refresh();
    }
  }

  private static VectorSimilarityFunction similarity(Metric metric) {
    return metric == Metric.COSINE ? VectorSimilarityFunction.DOT_PRODUCT : VectorSimilarityFunction.EUCLIDEAN;
  }

  /**
   * How to search.
   *
   * @param k neighbours to return
   * @param candidates how many the HNSW search collects before keeping the k best (at least k is used)
   * @param exact scan every vector instead
   */
  public record SearchOptions(int k, int candidates, boolean exact) {
    public SearchOptions {
      if (k < 1) throw new IllegalArgumentException("k must be at least 1, not " + k);
      if (candidates < 1) throw new IllegalArgumentException("candidates must be at least 1, not " + candidates);
    }

    /** Approximate search for k neighbours with {@value FeatureDatabase#DEFAULT_CANDIDATES} candidates. */
    public static SearchOptions approximate(int k) {
      return new SearchOptions(k, DEFAULT_CANDIDATES, false);
    }

    /** Exact search for k neighbours. */
    public static SearchOptions exact(int k) {
      return new SearchOptions(k, DEFAULT_CANDIDATES, true);
    }
  }

  /** The nearest vectors of the space to {@code query} (as the model gives it), nearest first. */
  public List<Neighbor> search(Space space, float[] query, SearchOptions options) throws IOException {
    checkDimension(space, query.length, "query");
    float[] target = space.metric().prepare(query);
    return options.exact() ? exactSearch(space, target, options.k())
        : approximateSearch(space, target, options.k(), Math.max(options.k(), options.candidates()));
  }

  private List<Neighbor> approximateSearch(Space space, float[] target, int k, int candidates) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    TopDocs top = searcher.search(new KnnFloatVectorQuery(vectorField(space), target, candidates), k);
    StoredFields stored = searcher.storedFields();
    List<Neighbor> out = new ArrayList<>();
    for (ScoreDoc hit : top.scoreDocs) out.add(new Neighbor(item(stored.document(hit.doc)), distanceFromScore(space, hit.score)));
    return out;
  }

  /** Lucene's scores are (1 + dot) / 2 for unit vectors and 1 / (1 + d^2) for Euclidean distance d. */
  private static double distanceFromScore(Space space, float score) {
    if (space.metric() == Metric.COSINE) return Math.max(0, 2 - 2 * (double) score);
    return Math.sqrt(Math.max(0, 1 / (double) score - 1));
  }

  private List<Neighbor> exactSearch(Space space, float[] target, int k) throws IOException {
    // Farthest on top, so the heap drops it first; equal distances keep the earlier document.
    PriorityQueue<double[]> best = new PriorityQueue<>(k + 1,
        Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> e[1]).reversed());
    for (LeafReaderContext leaf : reader.leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues(vectorField(space));
      if (values == null) continue;
      Bits live = leaf.reader().getLiveDocs();
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (live != null && !live.get(doc)) continue;
        best.add(new double[] {space.metric().distance(target, values.vectorValue()), leaf.docBase + doc});
        if (best.size() > k) best.poll();
      }
    }
    List<double[]> sorted = new ArrayList<>(best);
    sorted.sort(Comparator.<double[]>comparingDouble(e -> e[0]).thenComparingDouble(e -> e[1]));
    StoredFields stored = reader.storedFields();
    List<Neighbor> out = new ArrayList<>();
    for (double[] e : sorted) out.add(new Neighbor(item(stored.document((int) e[1])), e[0]));
    return out;
  }

  /** A stored vector (prepared for its space's metric) with what it was computed from. */
  public record Entry(float[] vector, Item item) {}

  /** The vector of example {@code index} of {@code dataset} in the space, if stored. */
  public Optional<Entry> find(Space space, String dataset, int index) throws IOException {
    IndexSearcher searcher = new IndexSearcher(reader);
    Query query = new BooleanQuery.Builder()
        .add(new TermQuery(new Term(SPACE, space.id())), BooleanClause.Occur.FILTER)
        .add(new TermQuery(new Term(DATASET, dataset)), BooleanClause.Occur.FILTER)
        .add(IntPoint.newExactQuery(INDEX, index), BooleanClause.Occur.FILTER)
        .build();
    ScoreDoc[] hits = searcher.search(query, 1).scoreDocs;
    if (hits.length == 0) return Optional.empty();
    int doc = hits[0].doc;
    for (LeafReaderContext leaf : reader.leaves()) {
      if (doc < leaf.docBase || doc >= leaf.docBase + leaf.reader().maxDoc()) continue;
      FloatVectorValues values = leaf.reader().getFloatVectorValues(vectorField(space));
      if (values.advance(doc - leaf.docBase) != doc - leaf.docBase) break;
      return Optional.of(new Entry(values.vectorValue().clone(), item(searcher.storedFields().document(doc))));
    }
    throw new IOException(dir + ": document " + doc + " has no vector in space " + space.id());
  }

  /** Every vector of a space with its item, ordered by dataset then index whatever the segments' order. */
  public List<Entry> entries(Space space) throws IOException {
    List<Entry> out = new ArrayList<>();
    for (LeafReaderContext leaf : reader.leaves()) {
      FloatVectorValues values = leaf.reader().getFloatVectorValues(vectorField(space));
      if (values == null) continue;
      Bits live = leaf.reader().getLiveDocs();
      StoredFields stored = leaf.reader().storedFields();
      for (int doc = values.nextDoc(); doc != DocIdSetIterator.NO_MORE_DOCS; doc = values.nextDoc()) {
        if (live != null && !live.get(doc)) continue;
        out.add(new Entry(values.vectorValue().clone(), item(stored.document(doc))));
      }
    }
    out.sort(Comparator.comparing((Entry e) -> e.item().dataset()).thenComparingInt(e -> e.item().index()));
    return out;
  }

  private static Item item(Document doc) {
    return new Item(doc.get(DATASET), doc.getField(INDEX).numericValue().intValue(), doc.get(PATH),
        doc.getField(LABEL).numericValue().intValue(), doc.getField(PREDICTED).numericValue().intValue());
  }

  private static String vectorField(Space space) {
    return "vector." + space.id();
  }

  private static void checkDimension(Space space, int length, String what) {
    if (length != space.dimension()) {
      throw new IllegalArgumentException("the " + what + " has " + length + " dimensions but the database holds "
          + space.dimension() + "-d vectors (" + space.describe() + ")");
    }
  }

  private <T> T parse(String json, Class<T> type) throws IOException {
    try {
      return JSON.readValue(json, type);
    } catch (JsonProcessingException e) {
      throw new IOException(dir + ": unreadable feature database metadata: " + e.getOriginalMessage(), e);
    }
  }

  @Override
  public void close() throws IOException {
    try {
      if (reader != null) reader.close();
    } finally {
      directory.close();
    }
  }
}
