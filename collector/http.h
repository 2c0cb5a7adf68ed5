/* http: one InfluxDB write endpoint over libcurl, plus the gzip helpers.
 *
 * A struct http holds one curl easy handle, reused for every request so
 * the connection stays open between batches. It is meant for one thread
 * at a time (the sender); only http_cancel() may be called from another.
 * The module never logs: http_post() hands back a short error text. */
#ifndef LXC_HTTP_H
#define LXC_HTTP_H

#include <stdbool.h>
#include <stddef.h>

struct config;
struct http;

#define HTTP_ERR_MAX 256

/* Call once from the main thread before any other thread exists. */
int http_global_init(void);

/* Build the write URL from CFG: api v1 "URL/write?db=&rp=&precision=ns"
 * (basic auth when username is set), v2 "URL/api/v2/write?org=&bucket=
 * &precision=ns" with "Authorization: Token ...". CFG is not kept.
 * -EINVAL for a URL that is not http(s) or a secret with a line break. */
int http_new(const struct config *cfg, struct http **ret);
void http_free(struct http *h);
/* The write URL as it may be shown: a password in it replaced by "***". */
const char *http_url(const struct http *h);

/* POST BODY. Returns the HTTP status (any, 2xx to 5xx) or a transport
 * error as -errno: -ETIMEDOUT, -ECONNREFUSED, -ECONNRESET, -EPROTO (not
 * HTTP, TLS failure), -EHOSTUNREACH, -ECANCELED (http_cancel), -EIO.
 * ERR (HTTP_ERR_MAX bytes) receives a one-line reason: the first line of
 * the response body for an HTTP error (InfluxDB's {"error":"..."}), the
 * curl error text for a transport error, "" for 2xx. */
int http_post(struct http *h, const void *body, size_t len, bool gzipped, char *err);

/* The outcome R (with ERR) of the last http_post() on H as one sentence an
 * operator can act on: wrong credentials, database "NAME" does not exist
 * (with the CREATE DATABASE to run), retention policy missing, a server
 * error, host name not resolved, connection refused, TLS spoken to a plain
 * HTTP port, no answer in time. Into BUF (SIZE bytes, HTTP_WHY_MAX is
 * enough). */
#define HTTP_WHY_MAX 1024
void http_explain(const struct http *h, int r, const char *err, char *buf, size_t size);

/* Make the running and every later http_post() of H return -ECANCELED
 * soon. Async-safe enough for another thread: sets an atomic flag. */
void http_cancel(struct http *h);

/* gzip (RFC 1952) IN into a malloc'd *ret. */
int http_gzip(const void *in, size_t len, void **ret, size_t *ret_len);
/* Inflate gzip data; -EFBIG beyond max_out bytes, -EBADMSG when corrupt.
 * *ret is NUL-terminated (not counted in *ret_len). */
int http_gunzip(const void *in, size_t len, size_t max_out, void **ret, size_t *ret_len);

#endif
