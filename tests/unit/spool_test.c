/* spool_test: the on-disk batch queue (collector/spool.c) and the gzip
 * helpers of collector/http.c, in a temporary directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "collector/http.h"
#include "collector/spool.h"
#include "tests/testing.h"

static char dir[256];

static int count_files(const char *sub, const char *suffix)
{
	char path[512];
	DIR *d;
	struct dirent *de;
	int n = 0;

	snprintf(path, sizeof(path), "%s%s", dir, sub);
	d = opendir(path);
	if (!d)
		return -1;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name), sl = strlen(suffix);
		if (de->d_name[0] != '.' && l >= sl && strcmp(de->d_name + l - sl, suffix) == 0)
			n++;
	}
	closedir(d);
	return n;
}

static void touch(const char *name, const char *content)
{
	char path[512];
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	if (f) {
		fputs(content, f);
		fclose(f);
	}
}

/* peek the oldest batch and compare its text */
static void expect_head(struct spool *s, const char *want, const char *what)
{
	struct spool_batch b;
	int r = spool_peek_oldest(s, &b);
	T_EQ_INT(r, 0, what);
	if (r == 0) {
		T_EQ_STR((char *)b.data, want, what);
		spool_batch_free(&b);
	}
}

static uint64_t head_seq(struct spool *s)
{
	struct spool_batch b;
	if (spool_peek_oldest(s, &b) < 0)
		return 0;
	spool_batch_free(&b);
	return b.seq;
}

static void test_order_and_persistence(void)
{
	struct spool *s = NULL;
	struct stat st;
	char path[512];

	T_EQ_INT(spool_open(dir, 0, &s), 0, "open a new spool");
	snprintf(path, sizeof(path), "%s/rejected", dir);
	T_OK(stat(path, &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 0777) == 0700,
	     "rejected/ created with mode 0700");
	T_EQ_INT(spool_peek_oldest(s, &(struct spool_batch){ 0 }), -ENOENT, "empty: -ENOENT");
	T_EQ_INT(spool_append(s, "a 1\n", 4, 1, false), 0, "append a");
	T_EQ_INT(spool_append(s, "b 1\nb 2\n", 8, 2, false), 0, "append b");
	T_EQ_INT(spool_append(s, "c 1\n", 4, 1, false), 0, "append c");
	T_EQ_U64(spool_batches(s), 3, "three batches");
	T_EQ_U64(spool_bytes(s), 16, "bytes counted");
	T_EQ_INT(count_files("", ".lp"), 3, "one file per batch");
	expect_head(s, "a 1\n", "oldest first");
	T_EQ_INT(spool_remove(s, head_seq(s)), 0, "remove a");
	T_EQ_INT(spool_remove(s, 12345), -ENOENT, "remove unknown seq");
	expect_head(s, "b 1\nb 2\n", "then b");
	spool_close(s);

	/* leftovers of a crash in the middle of a write, and strangers */
	touch(".tmp.999.0", "half a batch");
	touch("README", "not a batch");
	touch("00000000000000zz-1.lp", "bad name");
	T_EQ_INT(spool_open(dir, 0, &s), 0, "reopen");
	T_EQ_U64(spool_batches(s), 2, "two batches survive a restart");
	T_EQ_U64(spool_bytes(s), 12, "their bytes");
	snprintf(path, sizeof(path), "%s/.tmp.999.0", dir);
	T_OK(access(path, F_OK) < 0, "temp file removed on open");
	snprintf(path, sizeof(path), "%s/README", dir);
	T_OK(access(path, F_OK) == 0, "unknown file left alone");
	expect_head(s, "b 1\nb 2\n", "order kept across restart");
	T_EQ_INT(spool_append(s, "d 1\n", 4, 1, true), 0, "append after restart");
	T_EQ_INT(spool_remove(s, head_seq(s)), 0, "remove b");
	expect_head(s, "c 1\n", "c before d");
	T_EQ_INT(spool_remove(s, head_seq(s)), 0, "remove c");
	struct spool_batch b;
	T_EQ_INT(spool_peek_oldest(s, &b), 0, "peek d");
	T_OK(b.gzipped && b.points == 1, "gzip flag and points kept");
	spool_batch_free(&b);
	T_EQ_INT(spool_remove(s, head_seq(s)), 0, "remove d");
	T_EQ_U64(spool_batches(s), 0, "empty again");
	T_EQ_U64(spool_bytes(s), 0, "no bytes");
	spool_close(s);
	unlink(path);
	snprintf(path, sizeof(path), "%s/00000000000000zz-1.lp", dir);
	unlink(path);
}

static void test_max_size(void)
{
	struct spool *s = NULL;
	char buf[100];

	memset(buf, 'x', sizeof(buf));
	T_EQ_INT(spool_open(dir, 350, &s), 0, "open with max_size 350");
	for (int i = 0; i < 5; i++) {
		buf[0] = (char)('0' + i);
		spool_append(s, buf, sizeof(buf), 10 + (uint32_t)i, false);
	}
	T_EQ_U64(spool_batches(s), 3, "only three 100-byte batches fit");
	T_EQ_U64(spool_bytes(s), 300, "bytes within bound");
	T_EQ_U64(spool_dropped_points(s), 10 + 11, "points of the two oldest counted");
	struct spool_batch b;
	T_EQ_INT(spool_peek_oldest(s, &b), 0, "peek");
	T_OK(((char *)b.data)[0] == '2' && b.points == 12, "the oldest were dropped");
	spool_batch_free(&b);
	char big[400] = { 0 };
	T_EQ_INT(spool_append(s, big, sizeof(big), 7, false), -EFBIG, "batch above max_size");
	T_EQ_U64(spool_dropped_points(s), 21 + 7, "its points counted");
	T_EQ_U64(spool_batches(s), 3, "the others kept");
	spool_set_max_size(s, 0);
	T_EQ_INT(spool_append(s, big, sizeof(big), 7, false), 0, "max_size 0: no bound");
	while (spool_remove(s, head_seq(s)) == 0)
		;
	spool_close(s);
}

static void test_reject(void)
{
	struct spool *s = NULL;
	uint64_t seq;

	T_EQ_INT(spool_open(dir, 0, &s), 0, "open");
	spool_append(s, "bad\n", 4, 1, false);
	spool_append(s, "good\n", 5, 1, false);
	seq = head_seq(s);
	T_EQ_INT(spool_reject(s, seq), 0, "reject the oldest");
	T_EQ_INT(count_files("/rejected", ".lp"), 1, "it is in rejected/");
	expect_head(s, "good\n", "the next batch is up");
	T_EQ_U64(spool_batches(s), 1, "one left");
	T_EQ_INT(spool_remove(s, head_seq(s)), 0, "remove good");
	spool_close(s);
	/* a new spool must not reuse a rejected batch's name */
	T_EQ_INT(spool_open(dir, 0, &s), 0, "reopen");
	spool_append(s, "new\n", 4, 1, false);
	T_OK(head_seq(s) > seq, "new seq above the rejected one");
	spool_remove(s, head_seq(s));
	spool_close(s);
}

static void test_split(void)
{
	struct spool *s = NULL;
	uint64_t seq;
	int r = 0, n;

	T_EQ_INT(spool_open(dir, 0, &s), 0, "open");
	spool_append(s, "1\n2\n3\n4\n", 8, 4, false);
	spool_append(s, "5\n", 2, 1, false);
	seq = head_seq(s);
	T_EQ_INT(spool_split(s, seq, "1\n2\n", 4, 2, "3\n4\n", 4, 2), 0, "split the head");
	T_EQ_INT(spool_split(s, seq, "x\n", 2, 4, "y\n", 2, 1), -EINVAL, "a half needs fewer points");
	T_EQ_U64(spool_batches(s), 3, "three batches");
	T_EQ_U64(spool_bytes(s), 10, "bytes after split");
	T_EQ_INT(count_files("", ".lp"), 3, "original file replaced");
	T_EQ_INT(spool_split(s, head_seq(s), "1\n", 2, 1, "2\n", 2, 1), 0, "split the first half");
	spool_close(s);
	T_EQ_INT(spool_open(dir, 0, &s), 0, "reopen");
	const char *want[] = { "1\n", "2\n", "3\n4\n", "5\n" };
	for (int i = 0; i < 4; i++) {
		expect_head(s, want[i], "halves keep their place across restart");
		spool_remove(s, head_seq(s));
	}
	/* each split halves the head's share of the 2^32 seqs up to the next
	 * batch: 32 splits, then no room */
	spool_append(s, "a\nb\n", 4, 1000, false);
	for (n = 0; n < 40; n++) {
		r = spool_split(s, head_seq(s), "a\n", 2, 999 - (uint32_t)n, "b\n", 2, 1);
		if (r < 0)
			break;
	}
	T_EQ_INT(n, 32, "32 successive splits of one batch");
	T_EQ_INT(r, -ERANGE, "then -ERANGE");
	T_EQ_U64(spool_batches(s), 33, "33 batches");
	while (spool_remove(s, head_seq(s)) == 0)
		;
	spool_close(s);
}

/* A crash between writing the halves and deleting the original leaves two
 * files with one seq: the split one (fewer points) wins. */
static void test_crashed_split(void)
{
	struct spool *s = NULL;

	touch("0000000100000000-4.lp", "1\n2\n3\n4\n");
	touch("0000000100000000-2.lp", "1\n2\n");
	touch("0000000180000000-2.lp", "3\n4\n");
	T_EQ_INT(spool_open(dir, 0, &s), 0, "open after a crashed split");
	T_EQ_U64(spool_batches(s), 2, "the original is gone");
	T_EQ_INT(count_files("", ".lp"), 2, "and its file deleted");
	expect_head(s, "1\n2\n", "first half first");
	spool_remove(s, head_seq(s));
	expect_head(s, "3\n4\n", "second half next");
	spool_remove(s, head_seq(s));
	spool_close(s);
}

static void test_gzip(void)
{
	const char *text = "cpu,host=a usage=1i 1\ncpu,host=b usage=2i 2\n";
	void *z = NULL, *plain = NULL;
	size_t zlen = 0, plen = 0;

	T_EQ_INT(http_gzip(text, strlen(text), &z, &zlen), 0, "gzip");
	T_OK(zlen > 10 && ((unsigned char *)z)[0] == 0x1f && ((unsigned char *)z)[1] == 0x8b,
	     "gzip magic");
	T_EQ_INT(http_gunzip(z, zlen, 1 << 20, &plain, &plen), 0, "gunzip");
	T_EQ_U64(plen, strlen(text), "length round trip");
	T_EQ_STR((char *)plain, text, "text round trip");
	free(plain);
	T_EQ_INT(http_gunzip(z, zlen, 10, &plain, &plen), -EFBIG, "gunzip bounded");
	T_EQ_INT(http_gunzip(z, zlen - 4, 1 << 20, &plain, &plen), -EBADMSG, "truncated input");
	T_EQ_INT(http_gunzip("garbage!", 8, 1 << 20, &plain, &plen), -EBADMSG, "not gzip");
	free(z);
	T_EQ_INT(http_gzip("", 0, &z, &zlen), 0, "gzip of nothing");
	T_EQ_INT(http_gunzip(z, zlen, 16, &plain, &plen), 0, "gunzip of nothing");
	T_EQ_U64(plen, 0, "empty round trip");
	free(plain);
	free(z);
}

int main(void)
{
	const char *tmp = getenv("TMPDIR");
	snprintf(dir, sizeof(dir), "%s/spool_test.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		perror("mkdtemp");
		return 1;
	}
	test_order_and_persistence();
	test_max_size();
	test_reject();
	test_split();
	test_crashed_split();
	test_gzip();

	char cmd[600];
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", dir);
	return t_done();
}
