package org.convscope.cli;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import me.tongfei.progressbar.ProgressBar;
import org.convscope.data.Dataset;
import org.convscope.data.Datasets;
import org.convscope.input.Preprocessing;
import org.convscope.model.Model;
import org.convscope.units.PassListener;
import org.convscope.units.StepListener;

/** What the unit commands (mask, patches, visualize, dream) share: datasets in pixels, channel lists, progress bars. */
final class UnitCommands {
  /** Exit code after Ctrl-C, as a shell reports a process ended by SIGINT. */
  static final int INTERRUPTED = 130;

  private UnitCommands() {}

  /**
   * Opens a dataset with pixels in [0,1], image folders resized as the model expects; the unit analyses
   * normalize them with the model's preprocessing themselves.
   */
  static Dataset openDataset(String spec, Preprocessing preprocessing) throws IOException {
    int channels = preprocessing.channels();
    Preprocessing pixels = new Preprocessing(preprocessing.resize(), channels, Collections.nCopies(channels, 0f),
        Collections.nCopies(channels, 1f));
    Dataset data = Datasets.open(spec, pixels);
    if (data.size() == 0) throw new UserException(spec + " is empty");
    if (data.channels() != channels) {
      throw new UserException(spec + " has " + data.channels() + " channel(s) but the model takes " + channels);
    }
    return data;
  }

  /** The preprocessing for a model: what it records (or a guess from its input), with its channel count. */
  static Preprocessing preprocessing(Model model) {
    return Inputs.preprocessing(model, null);
  }

  /**
   * Channels from {@code all}, {@code N}, {@code N-M} or a comma-separated list of them; null for all.
   *
   * @throws UserException saying what was expected
   */
  static int[] channels(String spec) {
    if (spec.equals("all")) return null;
    List<Integer> channels = new ArrayList<>();
    try {
      for (String part : spec.split(",", -1)) {
        int dash = part.indexOf('-', 1);
        int from = Integer.parseInt(part.substring(0, dash < 0 ? part.length() : dash).trim());
        int to = dash < 0 ? from : Integer.parseInt(part.substring(dash + 1).trim());
        if (from < 0 || to < from) throw new NumberFormatException();
        for (int c = from; c <= to; c++) channels.add(c);
      }
    } catch (NumberFormatException e) {
      throw new UserException("--channels '" + spec + "': expected all, N, N-M or a comma-separated list of them (e.g. 0-15,32)");
    }
    return channels.stream().mapToInt(Integer::intValue).toArray();
  }

  /** A progress bar per pass over a dataset, on stderr. */
  static final class PassBars implements PassListener, AutoCloseable {
    private String pass;
    private ProgressBar bar;

    @Override
    public void imagesDone(String name, int done, int total) {
      if (!name.equals(pass)) {
        close();
        pass = name;
        bar = Progress.bar(name, total, "images");
      }
      bar.stepTo(done);
    }

    @Override
    public void close() {
      if (bar != null) bar.close();
      bar = null;
    }
  }

  /** A progress bar over optimization steps, with the objective, on stderr. */
  static final class StepBar implements StepListener, AutoCloseable {
    private final String task;
    private ProgressBar bar;

    StepBar(String task) {
      this.task = task;
    }

    @Override
    public void stepDone(int step, int steps, double objective) {
      if (bar == null) bar = Progress.bar(task, steps, "steps");
      bar.stepTo(step + 1);
      bar.setExtraMessage(String.format(" objective %.4g", objective));
    }

    @Override
    public void close() {
      if (bar != null) bar.close();
      bar = null;
    }
  }
}
