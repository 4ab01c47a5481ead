package org.convscope.web;

/** A request the explorer cannot answer as asked: its HTTP status and a one-line reason for the error page. */
final class HttpProblem extends RuntimeException {
  private final int status;

  HttpProblem(int status, String message) {
    super(message);
    this.status = status;
  }

  static HttpProblem notFound(String message) {
    return new HttpProblem(404, message);
  }

  static HttpProblem badRequest(String message) {
    return new HttpProblem(400, message);
  }

  int status() {
    return status;
  }
}
