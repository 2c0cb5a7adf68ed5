/* prom: the HTTP side of the Prometheus endpoint (libmicrohttpd).
 *
 * Threads: the collector calls prom_publish() after each cycle; one
 * libmicrohttpd thread polls every connection and answers. They share
 * only the pointer to the current snapshot, under a mutex held for a
 * pointer swap or a reference count; a snapshot is immutable once
 * published except for its rendered bodies, which only the server thread
 * writes and reads. So a scrape sees one whole cycle, and a client that
 * never reads holds nothing but its own reference (dropped when the
 * connection times out) and one of the bounded connection slots.
 *
 * Everything a scrape costs (rendering, compression) happens in the
 * server thread, at most once per format and encoding per cycle. */
#include "collector/prom.h"

#include <errno.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <netdb.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "collector/log.h"

/* A scrape is one request, so a few connections per scraper suffice;
 * beyond this many, new connections are refused until one closes. */
#define PROM_MAX_CONNECTIONS 32
/* A connection idle (nothing read, nothing sent) this long is closed. */
#define PROM_IDLE_TIMEOUT_S 10
/* Certificate and key files larger than this are refused. */
#define PROM_PEM_MAX (1u << 20)

enum prom_path { PROM_PATH_METRICS, PROM_PATH_LXD, PROM_PATH_MAX };

static const struct {
	const char *url;
	const struct prom_profile *prof;
} prom_paths[PROM_PATH_MAX] = {
	[PROM_PATH_METRICS] = { "/metrics", &prom_own_profile },
	[PROM_PATH_LXD] = { "/1.0/metrics", &prom_lxd_profile },
};

struct prom_body {
	char *data;
	size_t len;
	bool done; /* rendered (data may still be NULL after a failure) */
};

struct prom_snap {
	int refs; /* __atomic */
	int64_t ts_ns;
	char *lp;
	size_t lp_len;
	/* [path][format][gzip] */
	struct prom_body body[PROM_PATH_MAX][PROM_FMT_MAX][2];
};

struct prom {
	int listen_fd;
	char listen[300];
	char *token; /* NULL: no authentication */
	char *tls_cert, *tls_key;
	struct MHD_Daemon *mhd;
	pthread_mutex_t lock;
	struct prom_snap *cur;
};

static void snap_unref(struct prom_snap *s)
{
	if (!s || __atomic_sub_fetch(&s->refs, 1, __ATOMIC_ACQ_REL) > 0)
		return;
	for (int p = 0; p < PROM_PATH_MAX; p++)
		for (int f = 0; f < PROM_FMT_MAX; f++)
			for (int z = 0; z < 2; z++)
				free(s->body[p][f][z].data);
	free(s->lp);
	free(s);
}

static struct prom_snap *snap_get(struct prom *p)
{
	struct prom_snap *s;

	pthread_mutex_lock(&p->lock);
	s = p->cur;
	if (s)
		__atomic_add_fetch(&s->refs, 1, __ATOMIC_ACQ_REL);
	pthread_mutex_unlock(&p->lock);
	return s;
}

int prom_publish(struct prom *p, const char *lp, size_t len, const char *side, size_t side_len,
		 int64_t ts_ns)
{
	struct prom_snap *s, *old;

	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->lp = malloc(len + side_len + 1);
	if (!s->lp) {
		free(s);
		return -ENOMEM;
	}
	memcpy(s->lp, lp, len);
	if (side_len)
		memcpy(s->lp + len, side, side_len);
	s->lp_len = len + side_len;
	s->ts_ns = ts_ns;
	s->refs = 1;
	pthread_mutex_lock(&p->lock);
	old = p->cur;
	p->cur = s;
	pthread_mutex_unlock(&p->lock);
	snap_unref(old);
	return 0;
}

/* gzip (RFC 1952) of IN, for a client that asks for it. */
static int gzip_body(const char *in, size_t n, struct prom_body *out)
{
	z_stream z = { 0 };
	uLong cap;
	int r;

	if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK)
		return -ENOMEM;
	cap = deflateBound(&z, (uLong)n);
	out->data = malloc(cap);
	if (!out->data) {
		deflateEnd(&z);
		return -ENOMEM;
	}
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = (Bytef *)out->data;
	z.avail_out = (uInt)cap;
	r = deflate(&z, Z_FINISH);
	out->len = cap - z.avail_out;
	deflateEnd(&z);
	if (r != Z_STREAM_END) {
		free(out->data);
		out->data = NULL;
		return -EIO;
	}
	return 0;
}

/* The body of PATH in FMT, gzipped or not, rendered on first use. */
static const struct prom_body *snap_body(struct prom_snap *s, enum prom_path path,
					 enum prom_format fmt, bool gz)
{
	struct prom_body *b = &s->body[path][fmt][gz];
	struct prom_render_stats st;

	if (b->done)
		return b->data ? b : NULL;
	b->done = true;
	if (gz) {
		const struct prom_body *plain = snap_body(s, path, fmt, false);

		if (!plain || gzip_body(plain->data, plain->len, b) < 0)
			return NULL;
		return b;
	} else {
		struct lp_buf out;

		lp_buf_init(&out);
		if (prom_render(s->lp, s->lp_len, s->ts_ns, prom_paths[path].prof, fmt, &out, &st) < 0) {
			lp_buf_free(&out);
			return NULL;
		}
		if (st.unmapped || st.bad_lines)
			log_debug("prometheus: %llu fields without a family, %llu lines unreadable",
				  (unsigned long long)st.unmapped,
				  (unsigned long long)st.bad_lines);
		b->data = out.data; /* taken over from the buffer */
		b->len = out.len;
	}
	return b;
}

static void body_done(void *cls)
{
	snap_unref(cls);
}

static enum MHD_Result reply_text(struct MHD_Connection *c, unsigned status, const char *text,
				  const char *hdr, const char *hdr_value)
{
	struct MHD_Response *resp;
	enum MHD_Result r;

	resp = MHD_create_response_from_buffer(strlen(text), (void *)text, MHD_RESPMEM_PERSISTENT);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, "text/plain; charset=utf-8");
	if (hdr)
		MHD_add_response_header(resp, hdr, hdr_value);
	r = MHD_queue_response(c, status, resp);
	MHD_destroy_response(resp);
	return r;
}

/* Constant time in the length of the expected token. */
static bool token_ok(const char *want, const char *auth)
{
	size_t n = strlen(want), got;
	unsigned char diff = 0;

	if (!auth || strncasecmp(auth, "Bearer ", 7))
		return false;
	auth += 7;
	got = strlen(auth);
	for (size_t i = 0; i < n; i++)
		diff |= (unsigned char)want[i] ^ (unsigned char)(i < got ? auth[i] : 0);
	return diff == 0 && got == n;
}

static const char index_text[] = "lxcollectd: container metrics\n"
				 "  /metrics      lxcollectd's own families\n"
				 "  /1.0/metrics  LXD 5.0's families, names and labels\n";

static enum MHD_Result on_request(void *cls, struct MHD_Connection *c, const char *url,
				  const char *method, const char *version, const char *upload,
				  size_t *upload_size, void **req_cls)
{
	struct prom *p = cls;
	const struct prom_body *b;
	struct MHD_Response *resp;
	struct prom_snap *s;
	unsigned path;
	enum prom_format fmt;
	enum MHD_Result r;
	bool gz;

	(void)version, (void)upload;
	/* answer once the whole request is in: a response queued earlier
	 * makes libmicrohttpd close the connection (no keep-alive) */
	if (!*req_cls) {
		*req_cls = p;
		return MHD_YES;
	}
	if (*upload_size) { /* a body nobody asked for: ignore it */
		*upload_size = 0;
		return MHD_YES;
	}
	if (strcmp(method, "GET") && strcmp(method, "HEAD"))
		return reply_text(c, MHD_HTTP_METHOD_NOT_ALLOWED, "405 method not allowed: use GET\n",
				  MHD_HTTP_HEADER_ALLOW, "GET, HEAD");
	if (p->token &&
	    !token_ok(p->token, MHD_lookup_connection_value(c, MHD_HEADER_KIND,
							     MHD_HTTP_HEADER_AUTHORIZATION)))
		return reply_text(c, MHD_HTTP_UNAUTHORIZED, "401 unauthorized: bearer token required\n",
				  MHD_HTTP_HEADER_WWW_AUTHENTICATE, "Bearer realm=\"lxcollectd\"");
	if (!strcmp(url, "/"))
		return reply_text(c, MHD_HTTP_OK, index_text, NULL, NULL);
	for (path = 0; path < PROM_PATH_MAX && strcmp(url, prom_paths[path].url); path++)
		;
	if (path == PROM_PATH_MAX)
		return reply_text(c, MHD_HTTP_NOT_FOUND,
				  "404 not found: the metrics are at /metrics and /1.0/metrics\n", NULL,
				  NULL);

	s = snap_get(p);
	if (!s)
		return reply_text(c, MHD_HTTP_SERVICE_UNAVAILABLE,
				  "503 no collection cycle has completed yet\n",
				  MHD_HTTP_HEADER_RETRY_AFTER, "1");
	fmt = prom_negotiate(MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT));
	gz = prom_accepts_gzip(
		MHD_lookup_connection_value(c, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT_ENCODING));
	b = snap_body(s, (enum prom_path)path, fmt, gz);
	if (!b && gz) {
		gz = false;
		b = snap_body(s, (enum prom_path)path, fmt, false);
	}
	if (!b) {
		snap_unref(s);
		return reply_text(c, MHD_HTTP_INTERNAL_SERVER_ERROR, "500 out of memory\n", NULL, NULL);
	}
	/* the snapshot's reference goes with the response */
	resp = MHD_create_response_from_buffer_with_free_callback_cls(b->len, b->data, body_done, s);
	if (!resp) {
		snap_unref(s);
		return MHD_NO;
	}
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE, prom_content_type(fmt));
	MHD_add_response_header(resp, MHD_HTTP_HEADER_VARY, "Accept, Accept-Encoding");
	if (gz)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_ENCODING, "gzip");
	r = MHD_queue_response(c, MHD_HTTP_OK, resp);
	MHD_destroy_response(resp);
	return r;
}

static void mhd_log(void *cls, const char *fmt, va_list ap)
{
	char msg[512];

	(void)cls;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	msg[strcspn(msg, "\n")] = '\0';
	log_debug("prometheus: %s", msg);
}

static int __attribute__((format(printf, 3, 4)))
fail(struct prom_error *err, const char *key, const char *fmt, ...)
{
	va_list ap;

	err->key = key;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* A PEM file, whole, NUL-terminated. */
static int read_pem(const char *path, char **ret)
{
	struct stat st;
	char *buf;
	ssize_t n;
	size_t got = 0;
	int fd, r = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode) || st.st_size > PROM_PEM_MAX) {
		close(fd);
		return -EINVAL;
	}
	buf = malloc((size_t)st.st_size + 1);
	if (!buf) {
		close(fd);
		return -ENOMEM;
	}
	while (got < (size_t)st.st_size && (n = read(fd, buf + got, (size_t)st.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)st.st_size)
		r = -EIO;
	close(fd);
	if (r < 0) {
		free(buf);
		return r;
	}
	buf[got] = '\0';
	*ret = buf;
	return 0;
}

static int listen_on(const char *spec, struct prom_error *err)
{
	struct addrinfo hints = { .ai_flags = AI_PASSIVE | AI_NUMERICSERV, .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;
	char host[256], port[8];
	uint16_t portn;
	int fd = -1, e = 0, one = 1, r;

	if (prom_parse_listen(spec, host, sizeof(host), &portn) < 0)
		return fail(err, "listen", "\"%s\" is not HOST:PORT (e.g. 127.0.0.1:9101 or [::1]:9101)",
			    spec);
	snprintf(port, sizeof(port), "%u", portn);
	r = getaddrinfo(host, port, &hints, &res);
	if (r)
		return fail(err, "listen", "cannot listen on %s: %s", spec, gai_strerror(r));
	for (struct addrinfo *a = res; a; a = a->ai_next) {
		fd = socket(a->ai_family, a->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK, a->ai_protocol);
		if (fd < 0) {
			e = errno;
			continue;
		}
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (bind(fd, a->ai_addr, a->ai_addrlen) == 0 && listen(fd, 64) == 0)
			break;
		e = errno;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		return fail(err, "listen", "cannot listen on %s: %s", spec, strerror(e));
	return fd;
}

int prom_new(const struct config *cfg, struct prom **ret, struct prom_error *err)
{
	struct prom *p;
	int r;

	memset(err, 0, sizeof(*err));
	p = calloc(1, sizeof(*p));
	if (!p)
		return -ENOMEM;
	pthread_mutex_init(&p->lock, NULL);
	snprintf(p->listen, sizeof(p->listen), "%s", cfg->prom_listen);
	p->listen_fd = -1;
	if ((cfg->prom_tls_cert || cfg->prom_tls_key) && !MHD_is_feature_supported(MHD_FEATURE_TLS)) {
		r = fail(err, "tls_cert", "this libmicrohttpd was built without TLS");
		goto fail;
	}
	if (cfg->prom_tls_cert) {
		r = read_pem(cfg->prom_tls_cert, &p->tls_cert);
		if (r < 0) {
			r = fail(err, "tls_cert", "cannot read %s: %s", cfg->prom_tls_cert, strerror(-r));
			goto fail;
		}
		r = read_pem(cfg->prom_tls_key, &p->tls_key);
		if (r < 0) {
			r = fail(err, "tls_key", "cannot read %s: %s", cfg->prom_tls_key, strerror(-r));
			goto fail;
		}
	}
	if (cfg->prom_token) {
		p->token = strdup(cfg->prom_token);
		if (!p->token) {
			r = -ENOMEM;
			goto fail;
		}
	}
	r = listen_on(cfg->prom_listen, err);
	if (r < 0)
		goto fail;
	p->listen_fd = r;
	*ret = p;
	return 0;
fail:
	prom_free(p);
	return r;
}

int prom_start(struct prom *p, struct prom_error *err)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_AUTO | MHD_USE_ERROR_LOG;

	memset(err, 0, sizeof(*err));
	if (p->tls_cert)
		flags |= MHD_USE_TLS;
	p->mhd = MHD_start_daemon(
		flags, 0, NULL, NULL, on_request, p, MHD_OPTION_LISTEN_SOCKET, p->listen_fd,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)PROM_MAX_CONNECTIONS,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)PROM_IDLE_TIMEOUT_S,
		MHD_OPTION_EXTERNAL_LOGGER, mhd_log, NULL,
		p->tls_cert ? MHD_OPTION_HTTPS_MEM_CERT : MHD_OPTION_END, p->tls_cert,
		MHD_OPTION_HTTPS_MEM_KEY, p->tls_key, MHD_OPTION_END);
	if (!p->mhd)
		return fail(err, p->tls_cert ? "tls_cert" : "listen",
			    "cannot serve on %s%s", p->listen,
			    p->tls_cert ? " (do tls_cert and tls_key hold a matching PEM pair?)" : "");
	p->listen_fd = -1; /* the server's now */
	return 0;
}

void prom_free(struct prom *p)
{
	if (!p)
		return;
	if (p->mhd)
		MHD_stop_daemon(p->mhd); /* closes the listening socket too */
	if (p->listen_fd >= 0)
		close(p->listen_fd);
	snap_unref(p->cur);
	pthread_mutex_destroy(&p->lock);
	cfg_secret_free(p->token);
	free(p->tls_cert);
	cfg_secret_free(p->tls_key);
	free(p);
}
