package io.mapreduce.netty.master;

import io.mapreduce.thirdparty.io.netty.buffer.Unpooled;
import io.mapreduce.thirdparty.io.netty.handler.codec.TooLongFrameException;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.FullHttpRequest;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.FullHttpResponse;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpHeaderNames;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpHeaderValues;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpMethod;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpResponseStatus;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.HttpVersion;
import io.mapreduce.thirdparty.io.netty.handler.codec.http.QueryStringDecoder;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What the status page answers to a request: first who may ask (the {@code Host} it names, then
 * the token), then which page. Holds no connection state and writes nothing: {@link
 * StatusConnection} writes the answer. Immutable, so shared by every connection.
 */
final class StatusRoutes implements StatusConnection.Routes {
  private static final Logger log = LoggerFactory.getLogger(StatusRoutes.class);
  private static final String JOB_PAGE = "/job/";
  private static final String JOB_API = "/api/job/";
  /** Page numbers beyond this are refused (a thousand million rows is no list the master has). */
  private static final int MAX_PAGE = 10_000_000;
  private static final String HTML = "text/html; charset=utf-8";
  private static final String JSON = "application/json; charset=utf-8";
  static final String TEXT = "text/plain; charset=utf-8";

  private final StatusPageAccess access;
  private final Supplier<StatusSnapshot> status;

  StatusRoutes(StatusPageAccess access, Supplier<StatusSnapshot> status) {
    this.access = Objects.requireNonNull(access, "access");
    this.status = Objects.requireNonNull(status, "status");
  }

  /**
   * The answer to {@code request}, which reached this server's address {@code local}. Whether to
   * keep the connection open is the caller's to set.
   */
  @Override
  public FullHttpResponse answer(FullHttpRequest request, InetAddress local) {
    if (!request.decoderResult().isSuccess()) {
      Throwable cause = request.decoderResult().cause();
      // Netty names which limit a too long line or header block passed.
      return response(request, HttpResponseStatus.BAD_REQUEST, TEXT, cause instanceof TooLongFrameException
          ? "bad request: the request line is over 4 KiB or its headers over 8 KiB\n" : "bad request\n");
    }
    if (request.protocolVersion().equals(HttpVersion.HTTP_1_1) && !request.headers().contains(HttpHeaderNames.HOST)) {
      return response(request, HttpResponseStatus.BAD_REQUEST, TEXT, "bad request: an HTTP/1.1 request needs a Host\n");
    }
    if (!access.allowsHost(request.headers().get(HttpHeaderNames.HOST), local)) {
      // Not echoed: the name is the attacker's. 421 tells a browser this server is not that name.
      return response(request, HttpResponseStatus.MISDIRECTED_REQUEST, TEXT, "misdirected request: this status page "
          + "answers to localhost, its own addresses and the names the master was given with --http-host\n");
    }
    if (!access.authorizes(request.headers().get(HttpHeaderNames.AUTHORIZATION))) {
      FullHttpResponse r = response(request, HttpResponseStatus.UNAUTHORIZED, TEXT,
          "unauthorized: send the status page token (Authorization: Bearer TOKEN, or as a Basic password)\n");
      r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"mapreduce status page\", charset=\"UTF-8\"");
      return r;
    }
    return page(request);
  }

  private FullHttpResponse page(FullHttpRequest request) {
    QueryStringDecoder uri = new QueryStringDecoder(request.uri());
    String path = uri.path();
    boolean html = path.equals("/") || path.startsWith(JOB_PAGE);
    String jobId = path.startsWith(JOB_PAGE) ? path.substring(JOB_PAGE.length())
        : path.startsWith(JOB_API) ? path.substring(JOB_API.length()) : null;
    if (jobId == null && !path.equals("/") && !path.equals("/api/status")) {
      return response(request, HttpResponseStatus.NOT_FOUND, TEXT,
          "not found: the status page is / and /api/status, a job's /job/<id> and /api/job/<id>\n");
    }
    if (!request.method().equals(HttpMethod.GET)) {
      FullHttpResponse response = response(request, HttpResponseStatus.METHOD_NOT_ALLOWED, TEXT,
          "method not allowed: the status page is read with GET\n");
      response.headers().set(HttpHeaderNames.ALLOW, "GET");
      return response;
    }
    if (jobId != null && !StatusPages.isJobId(jobId)) {
      // Not echoed: whatever the URL held stays out of the answer.
      return response(request, HttpResponseStatus.NOT_FOUND, TEXT,
          "not found: a job id is 1 to " + StatusPages.MAX_JOB_ID_CHARS + " letters, digits, '-', '_' and '.'\n");
    }
    int workersPage = pageNumber(uri, "workersPage");
    int jobsPage = pageNumber(uri, "jobsPage");
    int runningPage = pageNumber(uri, "runningPage");
    String bad = workersPage < 0 ? "workersPage" : jobsPage < 0 ? "jobsPage" : runningPage < 0 ? "runningPage" : null;
    if (bad != null) {
      return response(request, HttpResponseStatus.BAD_REQUEST, TEXT,
          "bad request: " + bad + " is a page number, from 0 to " + MAX_PAGE + "\n");
    }
    StatusSnapshot s;
    try {
      s = Objects.requireNonNull(status.get(), "the status supplier returned null");
    } catch (RuntimeException e) {
      // The detail goes to the log, not to whoever asked.
      log.warn("status page: the master's status is unavailable: {}", e.toString());
      return response(request, HttpResponseStatus.SERVICE_UNAVAILABLE, TEXT,
          "the master's status is unavailable right now; try again\n");
    }
    if (jobId == null) {
      return response(request, HttpResponseStatus.OK, html ? HTML : JSON, html
          ? StatusPages.statusHtml(s.status(), workersPage, jobsPage)
          : StatusPages.statusJson(s.status(), workersPage, jobsPage));
    }
    JobView job = s.job(jobId).orElse(null);
    if (job == null) {
      return response(request, HttpResponseStatus.NOT_FOUND, TEXT,
          "not found: no job " + jobId + " on this master (it keeps its running jobs and the last few finished ones)\n");
    }
    return response(request, HttpResponseStatus.OK, html ? HTML : JSON,
        html ? StatusPages.jobHtml(job, runningPage) : StatusPages.jobJson(job, runningPage));
  }

  /** A page number from the query (the first if repeated; 0 if absent), or -1 if it is not one. */
  private static int pageNumber(QueryStringDecoder uri, String name) {
    List<String> values = uri.parameters().get(name);
    if (values == null || values.isEmpty()) {
      return 0;
    }
    String v = values.get(0);
    if (v.isEmpty() || v.length() > 8) {
      return -1;
    }
    for (int i = 0; i < v.length(); i++) {
      if (v.charAt(i) < '0' || v.charAt(i) > '9') {
        return -1;
      }
    }
    int page = Integer.parseInt(v);
    return page <= MAX_PAGE ? page : -1;
  }

  /** Answers in the request's HTTP version, so an HTTP/1.0 client's keep-alive is understood. */
  private static FullHttpResponse response(FullHttpRequest request, HttpResponseStatus code, String contentType,
      String body) {
    return response(request.protocolVersion(), code, contentType, body);
  }

  static FullHttpResponse response(HttpVersion version, HttpResponseStatus code, String contentType, String body) {
    FullHttpResponse response = new DefaultFullHttpResponse(version, code,
        Unpooled.wrappedBuffer(body.getBytes(StandardCharsets.UTF_8)));
    response.headers()
        .set(HttpHeaderNames.CONTENT_TYPE, contentType)
        .setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes())
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE)
        .set("X-Content-Type-Options", "nosniff")
        .set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'");
    return response;
  }
}
