package org.convscope.train;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.convscope.data.Batch;
import org.convscope.data.Dataset;

/** Per-channel mean and standard deviation of a dataset's pixels, for input normalization. */
public final class ChannelStatistics {
  private ChannelStatistics() {}

  /** {mean[], std[]} over the first {@code limit} examples, summed in double precision. */
  public static float[][] meanAndStd(Dataset data, int limit) throws IOException {
    int channels = data.channels();
    double[] sum = new double[channels];
    double[] squares = new double[channels];
    long perChannel = 0;
    int n = Math.min(limit, data.size());
    int[] order = new int[n];
    for (int i = 0; i < n; i++) order[i] = i;
    for (Batch batch : data.batches(order, 512)) {
      float[] d = batch.images().data();
      int plane = data.height() * data.width();
      for (int i = 0; i < d.length; i++) {
        int c = (i / plane) % channels;
        sum[c] += d[i];
        squares[c] += (double) d[i] * d[i];
      }
      perChannel += (long) batch.size() * plane;
    }
    float[] mean = new float[channels];
    float[] std = new float[channels];
    for (int c = 0; c < channels; c++) {
      double m = sum[c] / perChannel;
      mean[c] = (float) m;
      std[c] = (float) Math.max(1e-3, Math.sqrt(Math.max(0, squares[c] / perChannel - m * m)));
    }
    return new float[][] {mean, std};
  }

  public static List<Float> list(float[] values) {
    List<Float> out = new ArrayList<>();
    for (float v : values) out.add(v);
    return out;
  }

  public static float[] array(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) out[i] = values.get(i);
    return out;
  }
}
