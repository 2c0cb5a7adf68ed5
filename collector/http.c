/* http: InfluxDB writes over libcurl and the gzip helpers. */
#include "collector/http.h"

#include <curl/curl.h>
#include <errno.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "collector/config.h"

#ifndef LXCOLLECTD_VERSION
#define LXCOLLECTD_VERSION "dev"
#endif

/* enough of the answer for InfluxDB's {"error":"..."} */
#define HTTP_BODY_KEEP 4096

struct http {
	CURL *curl;
	char *url;
	/* for http_explain(): where the points go, as an operator names it */
	char *shown_url; /* url with any password in it masked */
	char *host;
	long port;
	bool v2, has_auth, auth_in_url;
	char *db, *rp, *org, *bucket, *user;
	long timeout_ms;
	CURLcode rc; /* of the last http_post() */
	long os_errno;
	struct curl_slist *hdr_plain;
	struct curl_slist *hdr_gzip;
	char *resp;
	size_t resp_len;
	atomic_bool cancel;
	char errbuf[CURL_ERROR_SIZE];
};

int http_global_init(void)
{
	return curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK ? 0 : -EIO;
}

static bool has_line_break(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

/* "&KEY=VALUE" with VALUE percent-escaped; nothing for an empty value. */
static int add_param(CURL *c, char **url, const char *key, const char *value)
{
	char *esc, *n;

	if (!value || !*value)
		return 0;
	esc = curl_easy_escape(c, value, 0);
	if (!esc)
		return -ENOMEM;
	if (asprintf(&n, "%s%s%s=%s", *url, strchr(*url, '?') ? "&" : "?", key, esc) < 0) {
		curl_free(esc);
		return -ENOMEM;
	}
	curl_free(esc);
	free(*url);
	*url = n;
	return 0;
}

static int build_url(CURL *c, const struct config *cfg, char **ret)
{
	const char *base = cfg->url;
	size_t blen;
	char *url;
	int r;

	if (!base || (strncmp(base, "http://", 7) != 0 && strncmp(base, "https://", 8) != 0) ||
	    strchr(base, '?') || has_line_break(base))
		return -EINVAL;
	blen = strlen(base);
	while (blen > 0 && base[blen - 1] == '/')
		blen--;
	if (asprintf(&url, "%.*s%s", (int)blen, base,
		     cfg->api == CFG_API_V2 ? "/api/v2/write" : "/write") < 0)
		return -ENOMEM;
	if (cfg->api == CFG_API_V2) {
		r = add_param(c, &url, "org", cfg->org);
		if (r == 0)
			r = add_param(c, &url, "bucket", cfg->bucket);
	} else {
		r = add_param(c, &url, "db", cfg->database);
		if (r == 0)
			r = add_param(c, &url, "rp", cfg->retention_policy);
	}
	if (r == 0)
		r = add_param(c, &url, "precision", "ns");
	if (r < 0) {
		free(url);
		return r;
	}
	*ret = url;
	return 0;
}

static size_t on_body(char *ptr, size_t size, size_t nmemb, void *userdata)
{
	struct http *h = userdata;
	size_t n = size * nmemb, keep = n;

	if (h->resp_len + keep > HTTP_BODY_KEEP)
		keep = HTTP_BODY_KEEP - h->resp_len;
	if (keep > 0) {
		memcpy(h->resp + h->resp_len, ptr, keep);
		h->resp_len += keep;
		h->resp[h->resp_len] = '\0';
	}
	return n; /* the rest is read and ignored */
}

static int on_progress(void *userdata, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	struct http *h = userdata;
	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	return atomic_load(&h->cancel) ? 1 : 0;
}

static struct curl_slist *headers(const struct config *cfg, bool gzipped, int *r)
{
	struct curl_slist *l = NULL, *n;
	char *auth = NULL;
	const char *fixed[] = {
		"Content-Type: text/plain; charset=utf-8",
		"Expect:", /* no 100-continue round trip for large bodies */
		gzipped ? "Content-Encoding: gzip" : NULL,
	};

	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++) {
		if (!fixed[i])
			continue;
		n = curl_slist_append(l, fixed[i]);
		if (!n)
			goto oom;
		l = n;
	}
	if (cfg->api == CFG_API_V2 && cfg->token && *cfg->token) {
		size_t tlen = strlen(cfg->token);
		while (tlen > 0 && (cfg->token[tlen - 1] == ' ' || cfg->token[tlen - 1] == '\t'))
			tlen--;
		if (asprintf(&auth, "Authorization: Token %.*s", (int)tlen, cfg->token) < 0)
			goto oom;
		n = curl_slist_append(l, auth);
		/* the token is a secret: do not leave a copy in freed memory */
		explicit_bzero(auth, strlen(auth));
		free(auth);
		if (!n)
			goto oom;
		l = n;
	}
	*r = 0;
	return l;
oom:
	curl_slist_free_all(l);
	*r = -ENOMEM;
	return NULL;
}

static int dup_or_null(const char *s, char **ret)
{
	*ret = NULL;
	if (!s || !*s)
		return 0;
	*ret = strdup(s);
	return *ret ? 0 : -ENOMEM;
}

/* The names http_explain() speaks of, and the write URL as it may be
 * shown (cfg_url_redact()). */
static int keep_names(struct http *h, const struct config *cfg)
{
	CURLU *u = curl_url();
	char *part = NULL, shown[2048];
	int r = -ENOMEM;

	if (!u)
		return -ENOMEM;
	if (curl_url_set(u, CURLUPART_URL, h->url, 0) != CURLUE_OK) {
		r = -EINVAL;
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &part, 0) == CURLUE_OK) {
		h->auth_in_url = true;
		curl_free(part);
		part = NULL;
	}
	h->shown_url = strdup(cfg_url_redact(h->url, shown, sizeof(shown)));
	if (curl_url_get(u, CURLUPART_HOST, &part, 0) != CURLUE_OK)
		goto out;
	h->host = strdup(part);
	curl_free(part);
	part = NULL;
	if (curl_url_get(u, CURLUPART_PORT, &part, CURLU_DEFAULT_PORT) == CURLUE_OK)
		h->port = strtol(part, NULL, 10);
	curl_free(part);
	if (!h->shown_url || !h->host)
		goto out;
	h->v2 = cfg->api == CFG_API_V2;
	h->has_auth = h->v2 ? cfg->token && *cfg->token : cfg->username && *cfg->username;
	h->has_auth |= h->auth_in_url;
	if (dup_or_null(cfg->database, &h->db) < 0 || dup_or_null(cfg->retention_policy, &h->rp) < 0 ||
	    dup_or_null(cfg->org, &h->org) < 0 || dup_or_null(cfg->bucket, &h->bucket) < 0 ||
	    dup_or_null(cfg->username, &h->user) < 0)
		goto out;
	r = 0;
out:
	curl_url_cleanup(u);
	return r;
}

int http_new(const struct config *cfg, struct http **ret)
{
	struct http *h;
	long ms;
	int r;

	if (has_line_break(cfg->token) || has_line_break(cfg->username) ||
	    has_line_break(cfg->password))
		return -EINVAL;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->resp = malloc(HTTP_BODY_KEEP + 1);
	h->curl = curl_easy_init();
	if (!h->resp || !h->curl) {
		r = -ENOMEM;
		goto fail;
	}
	r = build_url(h->curl, cfg, &h->url);
	if (r == 0)
		r = keep_names(h, cfg);
	if (r < 0)
		goto fail;
	h->hdr_plain = headers(cfg, false, &r);
	if (r < 0)
		goto fail;
	h->hdr_gzip = headers(cfg, true, &r);
	if (r < 0)
		goto fail;

	CURL *c = h->curl;
	ms = cfg->timeout_ms > 0 && cfg->timeout_ms < 86400000 ? (long)cfg->timeout_ms : 5000;
	h->timeout_ms = ms;
	curl_easy_setopt(c, CURLOPT_URL, h->url);
#if LIBCURL_VERSION_NUM >= 0x075500
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
#endif
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L); /* no SIGALRM from another thread */
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, ms);
	curl_easy_setopt(c, CURLOPT_POST, 1L);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "lxcollectd/" LXCOLLECTD_VERSION);
	curl_easy_setopt(c, CURLOPT_ERRORBUFFER, h->errbuf);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, h);
	curl_easy_setopt(c, CURLOPT_XFERINFOFUNCTION, on_progress);
	curl_easy_setopt(c, CURLOPT_XFERINFODATA, h);
	curl_easy_setopt(c, CURLOPT_NOPROGRESS, 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, cfg->tls_verify ? 1L : 0L);
	curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, cfg->tls_verify ? 2L : 0L);
	if (cfg->ca_file && *cfg->ca_file)
		curl_easy_setopt(c, CURLOPT_CAINFO, cfg->ca_file);
	if (cfg->api == CFG_API_V1 && cfg->username && *cfg->username) {
		curl_easy_setopt(c, CURLOPT_HTTPAUTH, (long)CURLAUTH_BASIC);
		curl_easy_setopt(c, CURLOPT_USERNAME, cfg->username);
		curl_easy_setopt(c, CURLOPT_PASSWORD, cfg->password ? cfg->password : "");
	}
	*ret = h;
	return 0;
fail:
	http_free(h);
	return r;
}

void http_free(struct http *h)
{
	if (!h)
		return;
	if (h->curl)
		curl_easy_cleanup(h->curl);
	curl_slist_free_all(h->hdr_plain);
	curl_slist_free_all(h->hdr_gzip);
	free(h->url);
	free(h->shown_url);
	free(h->host);
	free(h->db);
	free(h->rp);
	free(h->org);
	free(h->bucket);
	free(h->user);
	free(h->resp);
	free(h);
}

const char *http_url(const struct http *h)
{
	return h->shown_url;
}

void http_cancel(struct http *h)
{
	atomic_store(&h->cancel, true);
}

static int curl_errno(CURLcode rc)
{
	switch (rc) {
	case CURLE_OPERATION_TIMEDOUT:
		return -ETIMEDOUT;
	case CURLE_COULDNT_CONNECT:
		return -ECONNREFUSED;
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_RESOLVE_PROXY:
		return -EHOSTUNREACH;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
		return -ECONNRESET;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_HTTP2:
		return -EPROTO;
	case CURLE_ABORTED_BY_CALLBACK:
		return -ECANCELED;
	case CURLE_OUT_OF_MEMORY:
		return -ENOMEM;
	default:
		return -EIO;
	}
}

/* First non-empty line of S into ERR, unprintable bytes as '?'. */
static void first_line(const char *s, char *err)
{
	size_t n = 0;

	while (*s == '\r' || *s == '\n' || *s == ' ')
		s++;
	for (; *s && *s != '\r' && *s != '\n' && n < HTTP_ERR_MAX - 1; s++)
		err[n++] = ((unsigned char)*s < 0x20 || *s == 0x7f) ? '?' : *s;
	err[n] = '\0';
}

int http_post(struct http *h, const void *body, size_t len, bool gzipped, char *err)
{
	CURLcode rc;
	long status = 0;

	err[0] = '\0';
	if (atomic_load(&h->cancel)) {
		snprintf(err, HTTP_ERR_MAX, "cancelled");
		return -ECANCELED;
	}
	h->resp_len = 0;
	h->resp[0] = '\0';
	h->errbuf[0] = '\0';
	curl_easy_setopt(h->curl, CURLOPT_HTTPHEADER, gzipped ? h->hdr_gzip : h->hdr_plain);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(h->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	rc = curl_easy_perform(h->curl);
	h->rc = rc;
	h->os_errno = 0;
	if (rc != CURLE_OK) {
		curl_easy_getinfo(h->curl, CURLINFO_OS_ERRNO, &h->os_errno);
		first_line(h->errbuf[0] ? h->errbuf : curl_easy_strerror(rc), err);
		return curl_errno(rc);
	}
	curl_easy_getinfo(h->curl, CURLINFO_RESPONSE_CODE, &status);
	if (status < 100 || status > 599) {
		snprintf(err, HTTP_ERR_MAX, "bad HTTP status %ld", status);
		return -EPROTO;
	}
	if (status >= 300) {
		first_line(h->resp, err);
		if (!err[0])
			snprintf(err, HTTP_ERR_MAX, "HTTP %ld", status);
	}
	return (int)status;
}

int http_gzip(const void *in, size_t len, void **ret, size_t *ret_len)
{
	z_stream z = { 0 };
	unsigned char *out;
	size_t cap;
	int zr;

	/* 31 window bits: zlib writes a gzip header and trailer */
	if (deflateInit2(&z, 6, Z_DEFLATED, 31, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, (uLong)len) + 32;
	out = malloc(cap);
	if (!out) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	if (len > UINT32_MAX / 2) { /* avail_in is 32-bit; batches are far smaller */
		deflateEnd(&z);
		free(out);
		return -EFBIG;
	}
	zr = deflate(&z, Z_FINISH);
	deflateEnd(&z);
	if (zr != Z_STREAM_END) {
		free(out);
		return -EIO;
	}
	*ret = out;
	*ret_len = z.total_out;
	return 0;
}

int http_gunzip(const void *in, size_t len, size_t max_out, void **ret, size_t *ret_len)
{
	z_stream z = { 0 };
	unsigned char *out = NULL, *n;
	size_t cap = len * 4 + 256, used = 0;
	int zr, r;

	if (len > UINT32_MAX / 2)
		return -EFBIG;
	if (inflateInit2(&z, 31) != Z_OK)
		return -ENOMEM;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)len;
	for (;;) {
		if (cap > max_out + 1)
			cap = max_out + 1;
		n = realloc(out, cap + 1);
		if (!n) {
			r = -ENOMEM;
			goto fail;
		}
		out = n;
		z.next_out = out + used;
		z.avail_out = (uInt)(cap - used);
		zr = inflate(&z, Z_NO_FLUSH);
		used = cap - z.avail_out;
		if (zr == Z_STREAM_END)
			break;
		if (zr == Z_MEM_ERROR) {
			r = -ENOMEM;
			goto fail;
		}
		if (zr != Z_OK && !(zr == Z_BUF_ERROR && z.avail_out == 0)) {
			r = -EBADMSG;
			goto fail;
		}
		if (used > max_out) {
			r = -EFBIG;
			goto fail;
		}
		if (z.avail_in == 0 && z.avail_out > 0) {
			r = -EBADMSG; /* truncated */
			goto fail;
		}
		cap *= 2;
	}
	inflateEnd(&z);
	if (used > max_out) {
		free(out);
		return -EFBIG;
	}
	out[used] = '\0';
	*ret = out;
	*ret_len = used;
	return 0;
fail:
	inflateEnd(&z);
	free(out);
	return r;
}

/* ---- what happened, in an operator's words ---- */

static bool has(const char *hay, const char *needle)
{
	return hay && strcasestr(hay, needle) != NULL;
}

static void explain_status(const struct http *h, int status, const char *body, char *buf,
			   size_t size)
{
	const char *db = h->db ? h->db : "?";
	char said[HTTP_ERR_MAX + 32] = "";

	if (body && *body)
		snprintf(said, sizeof(said), " (the server said: %s)", body);
	if (status == 401)
		snprintf(buf, size, "HTTP 401: %s%s",
			 !h->has_auth ? "the server wants credentials: set [influxdb] " :
			 "wrong credentials: check [influxdb] ",
			 h->auth_in_url ? "url (its user and password)" :
			 h->v2 ? "token_file" : "username and password_file");
	else if (status == 403 && h->v2)
		snprintf(buf, size, "HTTP 403: the token may not write to bucket \"%s\" of org \"%s\"",
			 h->bucket ? h->bucket : "?", h->org ? h->org : "?");
	else if (status == 403)
		snprintf(buf, size, "HTTP 403: user \"%s\" may not write to database \"%s\": run "
			 "GRANT WRITE ON \"%s\" TO \"%s\"",
			 h->user ? h->user : "", db, db, h->user ? h->user : "");
	else if (has(body, "database not found"))
		snprintf(buf, size, "HTTP %d: database \"%s\" does not exist: create it with "
			 "CREATE DATABASE \"%s\" (influx -execute 'CREATE DATABASE \"%s\"')",
			 status, db, db, db);
	else if (has(body, "retention policy not found"))
		/* InfluxDB 1.x answers 500 to this one */
		snprintf(buf, size, "HTTP %d: retention policy \"%s\" does not exist in database "
			 "\"%s\": create it with CREATE RETENTION POLICY \"%s\" ON \"%s\" DURATION 30d "
			 "REPLICATION 1, or leave [influxdb] retention_policy unset",
			 status, h->rp ? h->rp : "?", db, h->rp ? h->rp : "?", db);
	else if (status == 404 && h->v2 && has(body, "bucket"))
		snprintf(buf, size, "HTTP 404: bucket \"%s\" does not exist in org \"%s\"%s",
			 h->bucket ? h->bucket : "?", h->org ? h->org : "?", said);
	else if (status == 404 && has(body, "org"))
		snprintf(buf, size, "HTTP 404: org \"%s\" does not exist%s", h->org ? h->org : "?",
			 said);
	else if (status == 404)
		snprintf(buf, size, "HTTP 404: no %s write endpoint at %s: check [influxdb] url "
			 "and api%s", h->v2 ? "InfluxDB 2 (/api/v2/write)" : "InfluxDB 1 (/write)",
			 h->shown_url, said);
	else if (status == 400 && has(body, "HTTPS server"))
		snprintf(buf, size, "HTTP 400: the server speaks TLS on port %ld: use https:// in "
			 "[influxdb] url", h->port);
	else if (status >= 500)
		snprintf(buf, size, "HTTP %d: the server failed to store the points (a server "
			 "error, retried)%s", status, said);
	else
		snprintf(buf, size, "HTTP %d%s", status, said);
}

static void explain_transport(const struct http *h, int r, const char *err, char *buf,
			      size_t size)
{
	switch (h->rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
		snprintf(buf, size, "host name \"%s\" not resolved: check [influxdb] url and DNS",
			 h->host);
		return;
	case CURLE_COULDNT_CONNECT:
		if (h->os_errno == ECONNREFUSED)
			snprintf(buf, size, "connection to %s port %ld refused: is InfluxDB running "
				 "and listening there?", h->host, h->port);
		else
			snprintf(buf, size, "cannot connect to %s port %ld: %s", h->host, h->port,
				 h->os_errno ? strerror((int)h->os_errno) : err);
		return;
	case CURLE_OPERATION_TIMEDOUT:
		snprintf(buf, size, "no answer from %s port %ld within %ld ms ([influxdb] timeout)",
			 h->host, h->port, h->timeout_ms);
		return;
	case CURLE_SSL_CONNECT_ERROR:
		if (has(err, "wrong version number") || has(err, "packet length too long") ||
		    has(err, "record layer failure"))
			snprintf(buf, size, "TLS spoken to a plain HTTP port (%s port %ld): use http:// "
				 "in [influxdb] url, or enable HTTPS on the server", h->host, h->port);
		else
			snprintf(buf, size, "TLS handshake with %s port %ld failed: %s", h->host,
				 h->port, err);
		return;
	case CURLE_PEER_FAILED_VERIFICATION:
		snprintf(buf, size, "the TLS certificate of %s is not trusted (%s): set [influxdb] "
			 "ca_file", h->host, err);
		return;
	case CURLE_GOT_NOTHING:
		snprintf(buf, size, "%s port %ld closed the connection without an answer (HTTP to a "
			 "TLS port? then use https://)", h->host, h->port);
		return;
	case CURLE_WEIRD_SERVER_REPLY:
	case CURLE_UNSUPPORTED_PROTOCOL:
		snprintf(buf, size, "%s port %ld does not answer in HTTP: is it InfluxDB? (%s)",
			 h->host, h->port, err);
		return;
	default:
		snprintf(buf, size, "%s%s%s", strerror(-r), *err ? ": " : "", err);
	}
}

void http_explain(const struct http *h, int r, const char *err, char *buf, size_t size)
{
	if (r >= 0)
		explain_status(h, r, err, buf, size);
	else if (r == -ECANCELED)
		snprintf(buf, size, "cancelled");
	else
		explain_transport(h, r, err, buf, size);
}
