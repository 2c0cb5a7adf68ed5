/* spool: directory-backed FIFO of batches; see spool.h for the file
 * format. The index (seq, points, size) is kept in memory, sorted by seq,
 * as an array with a moving head so that removing the oldest is O(1). */
#include "collector/spool.h"
#include "util/util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define SPOOL_SEQ_STEP (UINT64_C(1) << 32)
#define SPOOL_NAME_MAX 64
#define SPOOL_TMP_PREFIX ".tmp."
#define SPOOL_REJECTED "rejected"

struct spool_entry {
	uint64_t seq;
	uint64_t size;
	uint32_t points;
	bool gzipped;
};

struct spool {
	pthread_mutex_t lock;
	int dirfd;
	int rejfd;
	struct spool_entry *e;
	size_t head, n, cap; /* live entries are e[head..n) */
	uint64_t bytes;
	uint64_t max_size;
	uint64_t dropped_points;
	uint64_t next_seq; /* multiple of SPOOL_SEQ_STEP */
	uint64_t tmp_counter;
};

static void entry_name(const struct spool_entry *e, char *buf, size_t size)
{
	snprintf(buf, size, "%016" PRIx64 "-%" PRIu32 ".lp%s", e->seq, e->points,
		 e->gzipped ? ".gz" : "");
}

/* "SEQ-POINTS.lp[.gz]" with exactly 16 hex digits; anything else is not ours. */
static bool parse_name(const char *name, struct spool_entry *ret)
{
	struct spool_entry e = { 0 };
	const char *p = name;
	uint64_t points = 0;

	for (int i = 0; i < 16; i++, p++) {
		int d;
		if (*p >= '0' && *p <= '9')
			d = *p - '0';
		else if (*p >= 'a' && *p <= 'f')
			d = *p - 'a' + 10;
		else
			return false;
		e.seq = e.seq << 4 | (uint64_t)d;
	}
	if (*p++ != '-' || *p < '0' || *p > '9')
		return false;
	for (; *p >= '0' && *p <= '9'; p++) {
		points = points * 10 + (uint64_t)(*p - '0');
		if (points > UINT32_MAX)
			return false;
	}
	if (strcmp(p, ".lp") == 0)
		e.gzipped = false;
	else if (strcmp(p, ".lp.gz") == 0)
		e.gzipped = true;
	else
		return false;
	e.points = (uint32_t)points;
	*ret = e;
	return true;
}

static int mkdir_p(const char *path, mode_t mode)
{
	char *copy = strdup(path);
	int r = 0;

	if (!copy)
		return -ENOMEM;
	for (char *p = copy + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char c = *p;
		*p = '\0';
		if (mkdir(copy, mode) < 0 && errno != EEXIST) {
			r = -errno;
			break;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	free(copy);
	return r;
}

static int cmp_entry(const void *a, const void *b)
{
	const struct spool_entry *x = a, *y = b;
	if (x->seq != y->seq)
		return x->seq < y->seq ? -1 : 1;
	/* same seq: a split that crashed before deleting the original; the
	 * half (fewer points) goes first, so the original is the one dropped */
	return x->points < y->points ? -1 : x->points > y->points;
}

static int grow(struct spool *s, size_t extra)
{
	if (s->head > 0 && s->head >= s->n / 2) {
		memmove(s->e, s->e + s->head, (s->n - s->head) * sizeof(*s->e));
		s->n -= s->head;
		s->head = 0;
	}
	if (s->n + extra <= s->cap)
		return 0;
	size_t cap = s->cap ? s->cap * 2 : 64;
	while (cap < s->n + extra)
		cap *= 2;
	struct spool_entry *e = realloc(s->e, cap * sizeof(*e));
	if (!e)
		return -ENOMEM;
	s->e = e;
	s->cap = cap;
	return 0;
}

/* Highest seq named in directory fd (batches or not yet cleaned), so new
 * names never collide with a rejected batch's. */
static int scan(struct spool *s, int fd, bool index, uint64_t *max_seq)
{
	int dfd = dup(fd);
	DIR *d;
	struct dirent *de;

	if (dfd < 0)
		return -errno;
	d = fdopendir(dfd);
	if (!d) {
		close(dfd);
		return -errno;
	}
	rewinddir(d);
	while ((de = readdir(d))) {
		struct spool_entry e;
		struct stat st;

		if (index && strncmp(de->d_name, SPOOL_TMP_PREFIX, strlen(SPOOL_TMP_PREFIX)) == 0) {
			unlinkat(fd, de->d_name, 0); /* a write that never finished */
			continue;
		}
		if (!parse_name(de->d_name, &e))
			continue;
		if (e.seq > *max_seq)
			*max_seq = e.seq;
		if (!index)
			continue;
		if (fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 || !S_ISREG(st.st_mode))
			continue;
		e.size = (uint64_t)st.st_size;
		int r = grow(s, 1);
		if (r < 0) {
			closedir(d);
			return r;
		}
		s->e[s->n++] = e;
	}
	closedir(d);
	return 0;
}

static void drop_duplicates(struct spool *s)
{
	size_t w = 0;

	if (s->n == 0)
		return;
	qsort(s->e, s->n, sizeof(*s->e), cmp_entry);
	for (size_t i = 0; i < s->n; i++) {
		if (w > 0 && s->e[w - 1].seq == s->e[i].seq) {
			char name[SPOOL_NAME_MAX];
			entry_name(&s->e[i], name, sizeof(name));
			unlinkat(s->dirfd, name, 0);
			continue;
		}
		s->e[w++] = s->e[i];
	}
	s->n = w;
	for (size_t i = 0; i < s->n; i++)
		s->bytes += s->e[i].size;
	if (s->n > 0)
		fsync(s->dirfd);
}

int spool_open(const char *dir, uint64_t max_size, struct spool **ret)
{
	struct spool *s;
	char *rej = NULL;
	uint64_t max_seq = 0;
	int r;

	if (!dir || !*dir)
		return -EINVAL;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->dirfd = s->rejfd = -1;
	s->max_size = max_size;
	pthread_mutex_init(&s->lock, NULL);

	if (asprintf(&rej, "%s/" SPOOL_REJECTED, dir) < 0) {
		rej = NULL;
		r = -ENOMEM;
		goto fail;
	}
	r = mkdir_p(rej, 0700);
	if (r < 0)
		goto fail;
	s->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dirfd < 0) {
		r = -errno;
		goto fail;
	}
	s->rejfd = openat(s->dirfd, SPOOL_REJECTED, O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (s->rejfd < 0) {
		r = -errno;
		goto fail;
	}
	/* fail early, not at the first batch, when the directory is read-only */
	if (faccessat(s->dirfd, ".", W_OK, AT_EACCESS) < 0) {
		r = -errno;
		goto fail;
	}
	r = scan(s, s->dirfd, true, &max_seq);
	if (r < 0)
		goto fail;
	r = scan(s, s->rejfd, false, &max_seq);
	if (r < 0)
		goto fail;
	drop_duplicates(s);
	s->next_seq = (max_seq / SPOOL_SEQ_STEP + 1) * SPOOL_SEQ_STEP;
	free(rej);
	*ret = s;
	return 0;
fail:
	free(rej);
	spool_close(s);
	return r;
}

void spool_close(struct spool *s)
{
	if (!s)
		return;
	if (s->dirfd >= 0)
		close(s->dirfd);
	if (s->rejfd >= 0)
		close(s->rejfd);
	pthread_mutex_destroy(&s->lock);
	free(s->e);
	free(s);
}

void spool_set_max_size(struct spool *s, uint64_t max_size)
{
	pthread_mutex_lock(&s->lock);
	s->max_size = max_size;
	pthread_mutex_unlock(&s->lock);
}

/* Write E's file durably: temp name, fsync, rename over any old file of
 * that name, fsync the directory. */
static int write_entry_nolock(struct spool *s, const struct spool_entry *e, const void *data)
{
	char tmp[SPOOL_NAME_MAX], name[SPOOL_NAME_MAX];
	int fd, r;

	snprintf(tmp, sizeof(tmp), SPOOL_TMP_PREFIX "%ld.%" PRIu64, (long)getpid(), s->tmp_counter++);
	entry_name(e, name, sizeof(name));
	fd = openat(s->dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	r = write_all(fd, data, e->size);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (close(fd) < 0 && r == 0)
		r = -errno;
	if (r == 0 && renameat(s->dirfd, tmp, s->dirfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(s->dirfd, tmp, 0);
		return r;
	}
	if (fsync(s->dirfd) < 0)
		return -errno;
	return 0;
}

static void unlink_entry_nolock(struct spool *s, const struct spool_entry *e)
{
	char name[SPOOL_NAME_MAX];

	entry_name(e, name, sizeof(name));
	unlinkat(s->dirfd, name, 0);
}

/* Index of SEQ among the live entries, or -1. The head is the usual case. */
static ssize_t find_nolock(struct spool *s, uint64_t seq)
{
	size_t lo = s->head, hi = s->n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (s->e[mid].seq == seq)
			return (ssize_t)mid;
		if (s->e[mid].seq < seq)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

static void forget_nolock(struct spool *s, size_t i)
{
	s->bytes -= s->e[i].size;
	if (i == s->head) {
		s->head++;
	} else {
		memmove(s->e + i, s->e + i + 1, (s->n - i - 1) * sizeof(*s->e));
		s->n--;
	}
	if (s->head == s->n)
		s->head = s->n = 0;
}

int spool_append(struct spool *s, const void *data, size_t len, uint32_t points, bool gzipped)
{
	struct spool_entry e = { .size = len, .points = points, .gzipped = gzipped };
	int r;

	pthread_mutex_lock(&s->lock);
	if (s->max_size > 0 && len > s->max_size) {
		s->dropped_points += points;
		r = -EFBIG;
		goto out;
	}
	r = grow(s, 1);
	if (r < 0)
		goto out;
	e.seq = s->next_seq;
	while (s->max_size > 0 && s->head < s->n && s->bytes + len > s->max_size) {
		s->dropped_points += s->e[s->head].points;
		unlink_entry_nolock(s, &s->e[s->head]);
		forget_nolock(s, s->head);
	}
	r = write_entry_nolock(s, &e, data);
	if (r < 0)
		goto out;
	s->next_seq += SPOOL_SEQ_STEP;
	s->e[s->n++] = e;
	s->bytes += len;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

int spool_peek_oldest(struct spool *s, struct spool_batch *ret)
{
	struct spool_entry e;
	char name[SPOOL_NAME_MAX];
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd, r = 0;

	pthread_mutex_lock(&s->lock);
	if (s->head == s->n) {
		pthread_mutex_unlock(&s->lock);
		return -ENOENT;
	}
	e = s->e[s->head];
	entry_name(&e, name, sizeof(name));
	/* opened under the lock; read outside it: a concurrent drop only
	 * unlinks the name, the open file stays readable */
	fd = openat(s->dirfd, name, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		r = -errno;
	pthread_mutex_unlock(&s->lock);
	if (r < 0)
		return r;

	if (fstat(fd, &st) < 0) {
		r = -errno;
		goto out;
	}
	data = malloc((size_t)st.st_size + 1);
	if (!data) {
		r = -ENOMEM;
		goto out;
	}
	while (len < (size_t)st.st_size) {
		ssize_t k = read(fd, data + len, (size_t)st.st_size - len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			r = -errno;
			goto out;
		}
		if (k == 0)
			break;
		len += (size_t)k;
	}
	data[len] = '\0'; /* handy for callers that treat it as text */
	*ret = (struct spool_batch){ .seq = e.seq, .points = e.points, .gzipped = e.gzipped,
				     .data = data, .len = len };
	data = NULL;
out:
	free(data);
	close(fd);
	return r;
}

void spool_batch_free(struct spool_batch *b)
{
	free(b->data);
	b->data = NULL;
	b->len = 0;
}

int spool_remove(struct spool *s, uint64_t seq)
{
	ssize_t i;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	i = find_nolock(s, seq);
	if (i < 0) {
		r = -ENOENT;
	} else {
		unlink_entry_nolock(s, &s->e[i]);
		forget_nolock(s, (size_t)i);
	}
	pthread_mutex_unlock(&s->lock);
	return r;
}

int spool_reject(struct spool *s, uint64_t seq)
{
	char name[SPOOL_NAME_MAX];
	ssize_t i;
	int r = 0;

	pthread_mutex_lock(&s->lock);
	i = find_nolock(s, seq);
	if (i < 0) {
		r = -ENOENT;
		goto out;
	}
	entry_name(&s->e[i], name, sizeof(name));
	if (renameat(s->dirfd, name, s->rejfd, name) < 0) {
		r = -errno;
		goto out;
	}
	fsync(s->rejfd);
	fsync(s->dirfd);
	forget_nolock(s, (size_t)i);
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

int spool_split(struct spool *s, uint64_t seq, const void *a, size_t alen, uint32_t apoints,
		const void *b, size_t blen, uint32_t bpoints)
{
	struct spool_entry old, ea, eb;
	uint64_t end;
	ssize_t i;
	int r;

	pthread_mutex_lock(&s->lock);
	i = find_nolock(s, seq);
	if (i < 0) {
		r = -ENOENT;
		goto out;
	}
	old = s->e[i];
	/* the halves share the room between this seq and the next batch's */
	end = (old.seq / SPOOL_SEQ_STEP + 1) * SPOOL_SEQ_STEP;
	if ((size_t)i + 1 < s->n && s->e[i + 1].seq < end)
		end = s->e[i + 1].seq;
	if (end - old.seq < 2) {
		r = -ERANGE;
		goto out;
	}
	ea = (struct spool_entry){ .seq = old.seq, .size = alen, .points = apoints,
				   .gzipped = old.gzipped };
	eb = (struct spool_entry){ .seq = old.seq + (end - old.seq) / 2, .size = blen,
				   .points = bpoints, .gzipped = old.gzipped };
	/* a half needs fewer points than the original: open() keeps the
	 * entry with fewer points when a crash left two of one seq */
	if (apoints >= old.points || bpoints >= old.points) {
		r = -EINVAL;
		goto out;
	}
	r = grow(s, 1);
	if (r < 0)
		goto out;
	i = find_nolock(s, seq); /* grow() may have moved the entries */
	r = write_entry_nolock(s, &eb, b);
	if (r < 0)
		goto out;
	r = write_entry_nolock(s, &ea, a);
	if (r < 0) {
		unlink_entry_nolock(s, &eb);
		goto out;
	}
	unlink_entry_nolock(s, &old);
	fsync(s->dirfd);
	memmove(s->e + i + 2, s->e + i + 1, (s->n - (size_t)i - 1) * sizeof(*s->e));
	s->n++;
	s->e[i] = ea;
	s->e[i + 1] = eb;
	s->bytes = s->bytes - old.size + alen + blen;
out:
	pthread_mutex_unlock(&s->lock);
	return r;
}

uint64_t spool_bytes(struct spool *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t v = s->bytes;
	pthread_mutex_unlock(&s->lock);
	return v;
}

size_t spool_batches(struct spool *s)
{
	pthread_mutex_lock(&s->lock);
	size_t v = s->n - s->head;
	pthread_mutex_unlock(&s->lock);
	return v;
}

uint64_t spool_dropped_points(struct spool *s)
{
	pthread_mutex_lock(&s->lock);
	uint64_t v = s->dropped_points;
	pthread_mutex_unlock(&s->lock);
	return v;
}
