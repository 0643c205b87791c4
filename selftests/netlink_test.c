// SPDX-License-Identifier: GPL-2.0
/*
 * The "fastipc" generic netlink family, through libnl-genl-3: the dump and
 * its visibility rules (owners, other users, IPC namespaces), the lookup by
 * name, request validation, and the events group with its privilege check.
 * Runs as root and drops to another user in children.
 */
#include <errno.h>
#include <grp.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/netlink.h>
#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include "fastipc.h"
#include "kselftest_harness.h"

#include <linux/fastipc_netlink.h>

#define OTHER_UID 1000
#define OTHER_GID 1000

/* One message of the family: a dump entry, a reply or an event. */
struct nl_ep {
	bool has[FASTIPC_A_MAX + 1];
	uint8_t cmd;
	uint64_t id;
	char name[FASTIPC_NAME_MAX];
	uint32_t uid, gid, cuid, cgid, mode, flags;
	uint32_t queued, receivers, connections;
	uint64_t sent, received, replied, replies_dropped, withdrawn;
	uint64_t conn_id;
};

struct nl_eps {
	struct nl_ep ep[2048];
	size_t nr;
};

static const struct nla_policy policy[FASTIPC_A_MAX + 1] = {
	[FASTIPC_A_ID] = { .type = NLA_U64 },
	[FASTIPC_A_NAME] = { .type = NLA_STRING, .maxlen = FASTIPC_NAME_MAX },
	[FASTIPC_A_UID] = { .type = NLA_U32 },
	[FASTIPC_A_GID] = { .type = NLA_U32 },
	[FASTIPC_A_CUID] = { .type = NLA_U32 },
	[FASTIPC_A_CGID] = { .type = NLA_U32 },
	[FASTIPC_A_MODE] = { .type = NLA_U32 },
	[FASTIPC_A_FLAGS] = { .type = NLA_U32 },
	[FASTIPC_A_QUEUED] = { .type = NLA_U32 },
	[FASTIPC_A_RECEIVERS] = { .type = NLA_U32 },
	[FASTIPC_A_CONNECTIONS] = { .type = NLA_U32 },
	[FASTIPC_A_SENT] = { .type = NLA_U64 },
	[FASTIPC_A_RECEIVED] = { .type = NLA_U64 },
	[FASTIPC_A_REPLIED] = { .type = NLA_U64 },
	[FASTIPC_A_REPLIES_DROPPED] = { .type = NLA_U64 },
	[FASTIPC_A_WITHDRAWN] = { .type = NLA_U64 },
	[FASTIPC_A_CONN_ID] = { .type = NLA_U64 },
};

/* NL_CB_VALID: append the message to the struct nl_eps at @arg. */
static int collect(struct nl_msg *msg, void *arg)
{
	struct nlattr *tb[FASTIPC_A_MAX + 1];
	struct nl_eps *eps = arg;
	struct nl_ep *ep;
	int i;

	if (eps->nr == sizeof(eps->ep) / sizeof(eps->ep[0]) ||
	    genlmsg_parse(nlmsg_hdr(msg), 0, tb, FASTIPC_A_MAX, policy) < 0)
		return NL_SKIP;
	ep = &eps->ep[eps->nr++];
	memset(ep, 0, sizeof(*ep));
	ep->cmd = genlmsg_hdr(nlmsg_hdr(msg))->cmd;
	for (i = 0; i <= FASTIPC_A_MAX; i++)
		ep->has[i] = tb[i];
#define U32(a, f) do { if (tb[a]) ep->f = nla_get_u32(tb[a]); } while (0)
#define U64(a, f) do { if (tb[a]) ep->f = nla_get_u64(tb[a]); } while (0)
	U64(FASTIPC_A_ID, id);
	U32(FASTIPC_A_UID, uid);
	U32(FASTIPC_A_GID, gid);
	U32(FASTIPC_A_CUID, cuid);
	U32(FASTIPC_A_CGID, cgid);
	U32(FASTIPC_A_MODE, mode);
	U32(FASTIPC_A_FLAGS, flags);
	U32(FASTIPC_A_QUEUED, queued);
	U32(FASTIPC_A_RECEIVERS, receivers);
	U32(FASTIPC_A_CONNECTIONS, connections);
	U64(FASTIPC_A_SENT, sent);
	U64(FASTIPC_A_RECEIVED, received);
	U64(FASTIPC_A_REPLIED, replied);
	U64(FASTIPC_A_REPLIES_DROPPED, replies_dropped);
	U64(FASTIPC_A_WITHDRAWN, withdrawn);
	U64(FASTIPC_A_CONN_ID, conn_id);
#undef U32
#undef U64
	if (tb[FASTIPC_A_NAME])
		snprintf(ep->name, sizeof(ep->name), "%s", nla_get_string(tb[FASTIPC_A_NAME]));
	return NL_OK;
}

static int on_error(struct sockaddr_nl *nla, struct nlmsgerr *err, void *arg)
{
	*(int *)arg = err->error;
	return NL_STOP;
}

static int on_done(struct nl_msg *msg, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

struct genl {
	struct nl_sock *sk;
	int family;
};

/* Connect and resolve the family: 0, or a negative libnl error. */
static int genl_open(struct genl *nl)
{
	int ret;

	nl->sk = nl_socket_alloc();
	if (!nl->sk)
		return -NLE_NOMEM;
	ret = genl_connect(nl->sk);
	if (!ret) {
		nl->family = genl_ctrl_resolve(nl->sk, FASTIPC_GENL_NAME);
		if (nl->family >= 0)
			return 0;
		ret = nl->family;
	}
	nl_socket_free(nl->sk);
	nl->sk = NULL;
	return ret;
}

static void genl_close(struct genl *nl)
{
	nl_socket_free(nl->sk);
}

/*
 * Send @cmd with @flags, with a NAME attribute if @name, and with attribute
 * @extra (a u64) if not 0; collect the replies into @eps.  Returns 0 or the
 * kernel's -errno (-EIO if libnl fails).
 */
static int request(struct genl *nl, uint8_t cmd, int flags, const char *name,
		   int extra, struct nl_eps *eps)
{
	struct nl_msg *msg = nlmsg_alloc();
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	int state = 1, ret = -EIO;

	eps->nr = 0;
	if (!msg || !cb ||
	    !genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, nl->family, 0, flags, cmd,
			 FASTIPC_GENL_VERSION) ||
	    (name && nla_put_string(msg, FASTIPC_A_NAME, name)) ||
	    (extra && nla_put_u64(msg, extra, 1)) ||
	    nl_send_auto(nl->sk, msg) < 0)
		goto out;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, collect, eps);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_done, &state);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_done, &state);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &state);
	while (state > 0)
		if (nl_recvmsgs(nl->sk, cb) < 0 && state > 0)
			goto out;
	ret = state;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

static int dump(struct genl *nl, struct nl_eps *eps)
{
	return request(nl, FASTIPC_CMD_GET_ENDPOINT, NLM_F_DUMP, NULL, 0, eps);
}

static int get(struct genl *nl, const char *name, struct nl_eps *eps)
{
	return request(nl, FASTIPC_CMD_GET_ENDPOINT, 0, name, 0, eps);
}

/* How many entries of @eps are endpoint @id (and, if @ep, the last one). */
static int count_id(const struct nl_eps *eps, uint64_t id, const struct nl_ep **ep)
{
	int n = 0;
	size_t i;

	for (i = 0; i < eps->nr; i++) {
		if (eps->ep[i].id == id) {
			n++;
			if (ep)
				*ep = &eps->ep[i];
		}
	}
	return n;
}

static bool named_in(const struct nl_eps *eps, const char *name)
{
	size_t i;

	for (i = 0; i < eps->nr; i++)
		if (eps->ep[i].has[FASTIPC_A_NAME] && !strcmp(eps->ep[i].name, name))
			return true;
	return false;
}

/* The value of @key in /proc/self/fdinfo/@fd, or -1. */
static long long fdinfo(int fd, const char *key)
{
	char path[64], line[256];
	long long value = -1;
	size_t len = strlen(key);
	FILE *f;

	snprintf(path, sizeof(path), "/proc/self/fdinfo/%d", fd);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, len) && line[len] == ':')
			value = strtoll(line + len + 1, NULL, 10);
	fclose(f);
	return value;
}

static void unique_name(char *buf, size_t size, const char *tag)
{
	snprintf(buf, size, "nltest.%d.%s", getpid(), tag);
}

/* Drop to uid/gid 1000 with no capabilities. */
static int become_other(void)
{
	if (setgroups(0, NULL) || setresgid(OTHER_GID, OTHER_GID, OTHER_GID) ||
	    setresuid(OTHER_UID, OTHER_UID, OTHER_UID))
		return -errno;
	return 0;
}

/* Run @fn(@arg) in a child; returns what it returned, or -ECHILD. */
static int in_child(int (*fn)(const void *arg), const void *arg)
{
	int pipefd[2], result = -ECHILD;
	pid_t child;

	if (pipe(pipefd))
		return -errno;
	child = fork();
	if (!child) {
		close(pipefd[0]);
		result = fn(arg);
		if (write(pipefd[1], &result, sizeof(result)) != sizeof(result))
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (child < 0 || read(pipefd[0], &result, sizeof(result)) != sizeof(result))
		result = -ECHILD;
	close(pipefd[0]);
	if (child > 0)
		waitpid(child, NULL, 0);
	return result;
}

FIXTURE(nl) {
	struct genl nl;
	struct nl_eps eps;
	int ctx;
};

FIXTURE_SETUP(nl)
{
	int ret;

	umask(022);
	self->ctx = fastipc_open();
	ASSERT_LE(0, self->ctx) TH_LOG("open %s: %s", FASTIPC_DEVICE_PATH,
				       strerror(-self->ctx));
	ret = genl_open(&self->nl);
	ASSERT_EQ(0, ret) TH_LOG("resolving \"%s\": %s", FASTIPC_GENL_NAME,
				 nl_geterror(ret));
}

FIXTURE_TEARDOWN(nl)
{
	if (self->nl.sk)
		genl_close(&self->nl);
	close(self->ctx);
}

TEST_F(nl, family_and_group_resolve)
{
	EXPECT_LT(0, self->nl.family);
	EXPECT_LT(0, genl_ctrl_resolve_grp(self->nl.sk, FASTIPC_GENL_NAME,
					   FASTIPC_MCGRP_EVENTS));
}

TEST_F(nl, dump_shows_named_endpoint_with_owner_mode_and_counters)
{
	const struct nl_ep *ep = NULL;
	char name[FASTIPC_NAME_MAX], buf[8];
	int fd, conn;

	unique_name(name, sizeof(name), "named");
	fd = fastipc_endpoint_create(self->ctx, name, 0640);
	ASSERT_LE(0, fd);
	conn = fastipc_connect(self->ctx, name);
	ASSERT_LE(0, conn);
	ASSERT_EQ(0, fastipc_send(conn, 1, "one", 3, NULL));
	ASSERT_EQ(0, fastipc_send(conn, 2, "two", 3, NULL));
	ASSERT_EQ(3, fastipc_recv(fd, 0, buf, sizeof(buf), NULL, NULL));

	ASSERT_EQ(0, dump(&self->nl, &self->eps));
	ASSERT_EQ(1, count_id(&self->eps, fdinfo(fd, "endpoint_id"), &ep));
	EXPECT_EQ(FASTIPC_CMD_GET_ENDPOINT, ep->cmd);
	EXPECT_TRUE(ep->has[FASTIPC_A_NAME]);
	EXPECT_STREQ(name, ep->name);
	EXPECT_EQ(geteuid(), ep->uid);
	EXPECT_EQ(getegid(), ep->gid);
	EXPECT_EQ(geteuid(), ep->cuid);
	EXPECT_EQ(getegid(), ep->cgid);
	EXPECT_EQ(0640, ep->mode);
	EXPECT_TRUE(ep->has[FASTIPC_A_FLAGS]);
	EXPECT_EQ(0, ep->flags);
	EXPECT_EQ(1, ep->queued);
	EXPECT_EQ(1, ep->receivers);
	EXPECT_EQ(1, ep->connections);
	EXPECT_EQ(2, ep->sent);
	EXPECT_EQ(1, ep->received);
	EXPECT_EQ(0, ep->replied);
	EXPECT_EQ(0, ep->replies_dropped);
	EXPECT_EQ(0, ep->withdrawn);
	EXPECT_FALSE(ep->has[FASTIPC_A_CONN_ID]);

	close(conn);
	close(fd);
	ASSERT_EQ(0, dump(&self->nl, &self->eps));
	EXPECT_FALSE(named_in(&self->eps, name));
}

TEST_F(nl, persistent_endpoint_is_flagged_and_outlives_its_fd)
{
	const struct nl_ep *ep = NULL;
	char name[FASTIPC_NAME_MAX];
	long long id;
	int fd;

	unique_name(name, sizeof(name), "persistent");
	fd = fastipc_endpoint_create_persistent(self->ctx, name, 0600);
	ASSERT_LE(0, fd);
	id = fdinfo(fd, "endpoint_id");
	close(fd);

	ASSERT_EQ(0, dump(&self->nl, &self->eps));
	ASSERT_EQ(1, count_id(&self->eps, id, &ep));
	EXPECT_STREQ(name, ep->name);
	EXPECT_EQ(FASTIPC_ENDPOINT_PERSISTENT, ep->flags);

	ASSERT_EQ(0, fastipc_unlink(self->ctx, name));
	ASSERT_EQ(0, dump(&self->nl, &self->eps));
	EXPECT_EQ(0, count_id(&self->eps, id, NULL));
}

TEST_F(nl, anonymous_endpoint_is_listed_for_its_owner)
{
	const struct nl_ep *ep = NULL;
	int fd = fastipc_endpoint_create(self->ctx, NULL, 0600);

	ASSERT_LE(0, fd);
	ASSERT_EQ(0, dump(&self->nl, &self->eps));
	ASSERT_EQ(1, count_id(&self->eps, fdinfo(fd, "endpoint_id"), &ep));
	EXPECT_FALSE(ep->has[FASTIPC_A_NAME]);
	EXPECT_EQ(geteuid(), ep->uid);
	EXPECT_EQ(0600, ep->mode);
	close(fd);
}

/* What another user's dump shows of root's endpoints, and of its own. */
struct visibility {
	const char *name;
	long long named_id, anon_id;
};

#define SEES_NAMED	1
#define SEES_ANON	2
#define SEES_OWN	4

static int other_user_dump(const void *arg)
{
	const struct visibility *v = arg;
	static struct nl_eps eps;
	const struct nl_ep *ep;
	struct genl nl;
	int ctx, own, result = 0;

	if (become_other())
		return -EPERM;
	ctx = fastipc_open();
	if (ctx < 0)
		return ctx;
	own = fastipc_endpoint_create(ctx, NULL, 0600);
	if (own < 0)
		return own;
	if (genl_open(&nl))
		return -ENOENT;
	if (dump(&nl, &eps))
		return -EIO;
	if (count_id(&eps, v->named_id, &ep) == 1 && !strcmp(ep->name, v->name) &&
	    ep->uid == 0)
		result |= SEES_NAMED;
	if (count_id(&eps, v->anon_id, NULL))
		result |= SEES_ANON;
	if (count_id(&eps, fdinfo(own, "endpoint_id"), &ep) == 1 && ep->uid == OTHER_UID)
		result |= SEES_OWN;
	genl_close(&nl);
	return result;
}

TEST_F(nl, other_user_sees_named_endpoints_not_anonymous_ones)
{
	char name[FASTIPC_NAME_MAX];
	struct visibility v;
	int named, anon;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "visible");
	named = fastipc_endpoint_create(self->ctx, name, 0600);
	ASSERT_LE(0, named);
	anon = fastipc_endpoint_create(self->ctx, NULL, 0600);
	ASSERT_LE(0, anon);
	v.name = name;
	v.named_id = fdinfo(named, "endpoint_id");
	v.anon_id = fdinfo(anon, "endpoint_id");

	EXPECT_EQ(SEES_NAMED | SEES_OWN, in_child(other_user_dump, &v));
	close(anon);
	close(named);
}

/* An IPC namespace of its own: what each side's dump and lookup show. */
static int other_namespace(const void *arg)
{
	const char *parent_name = arg;
	static struct nl_eps eps;
	char name[FASTIPC_NAME_MAX];
	int ctx, fd, result = 0;
	struct genl nl;

	if (unshare(CLONE_NEWIPC))
		return -errno;
	ctx = fastipc_open();
	if (ctx < 0)
		return ctx;
	snprintf(name, sizeof(name), "%s.child", parent_name);
	fd = fastipc_endpoint_create(ctx, name, 0600);
	if (fd < 0)
		return fd;
	if (genl_open(&nl) || dump(&nl, &eps))
		return -EIO;
	if (named_in(&eps, name) && count_id(&eps, fdinfo(fd, "endpoint_id"), NULL) == 1)
		result |= 1;		/* sees its own */
	if (!named_in(&eps, parent_name))
		result |= 2;		/* not the parent's */
	if (get(&nl, parent_name, &eps) == -ENOENT)
		result |= 4;
	if (get(&nl, name, &eps) == 0 && eps.nr == 1 && !strcmp(eps.ep[0].name, name))
		result |= 8;
	genl_close(&nl);
	return result;
}

TEST_F(nl, ipc_namespaces_do_not_see_each_other)
{
	char name[FASTIPC_NAME_MAX], child_name[FASTIPC_NAME_MAX + 8];
	int fd, result, pipefd[2], status;
	pid_t child;
	char go;

	if (geteuid())
		SKIP(return, "needs root");
	unique_name(name, sizeof(name), "ns");
	fd = fastipc_endpoint_create(self->ctx, name, 0600);
	ASSERT_LE(0, fd);

	/* The child's view, through its own dump and lookups. */
	result = in_child(other_namespace, name);
	if (result == -EPERM || result == -EINVAL)
		SKIP(goto out, "unshare(CLONE_NEWIPC): %s", strerror(-result));
	EXPECT_EQ(1 | 2 | 4 | 8, result);

	/* The parent's view of a live endpoint in a child namespace. */
	snprintf(child_name, sizeof(child_name), "%s.child", name);
	ASSERT_EQ(0, pipe(pipefd));
	child = fork();
	ASSERT_LE(0, child);
	if (!child) {
		int ctx;

		close(pipefd[0]);
		if (unshare(CLONE_NEWIPC))
			_exit(1);
		ctx = fastipc_open();
		if (ctx < 0 || fastipc_endpoint_create(ctx, child_name, 0600) < 0)
			_exit(2);
		if (write(pipefd[1], "x", 1) != 1)
			_exit(3);
		pause();	/* until the parent has looked */
		_exit(0);
	}
	close(pipefd[1]);
	ASSERT_EQ(1, read(pipefd[0], &go, 1));
	close(pipefd[0]);
	ASSERT_EQ(0, dump(&self->nl, &self->eps));
	EXPECT_TRUE(named_in(&self->eps, name));
	EXPECT_FALSE(named_in(&self->eps, child_name));
	EXPECT_EQ(-ENOENT, get(&self->nl, child_name, &self->eps));
	kill(child, SIGKILL);
	waitpid(child, &status, 0);
out:
	close(fd);
}

TEST_F(nl, get_by_name)
{
	char name[FASTIPC_NAME_MAX];
	int fd;

	unique_name(name, sizeof(name), "get");
	fd = fastipc_endpoint_create(self->ctx, name, 0604);
	ASSERT_LE(0, fd);

	ASSERT_EQ(0, get(&self->nl, name, &self->eps));
	ASSERT_EQ(1, self->eps.nr);
	EXPECT_EQ(FASTIPC_CMD_GET_ENDPOINT, self->eps.ep[0].cmd);
	EXPECT_EQ(fdinfo(fd, "endpoint_id"), self->eps.ep[0].id);
	EXPECT_STREQ(name, self->eps.ep[0].name);
	EXPECT_EQ(0604, self->eps.ep[0].mode);
	EXPECT_EQ(geteuid(), self->eps.ep[0].uid);
	EXPECT_EQ(1, self->eps.ep[0].receivers);
	EXPECT_TRUE(self->eps.ep[0].has[FASTIPC_A_WITHDRAWN]);

	EXPECT_EQ(-ENOENT, get(&self->nl, "nltest.no-such-endpoint", &self->eps));
	EXPECT_EQ(0, self->eps.nr);
	close(fd);
	EXPECT_EQ(-ENOENT, get(&self->nl, name, &self->eps));
}

TEST_F(nl, requests_are_validated)
{
	char long_name[FASTIPC_NAME_MAX + 1];

	/* A do without a name, an invalid or overlong one. */
	EXPECT_EQ(-EINVAL, request(&self->nl, FASTIPC_CMD_GET_ENDPOINT, 0, NULL, 0,
				   &self->eps));
	EXPECT_EQ(-EINVAL, get(&self->nl, "", &self->eps));
	EXPECT_EQ(-EINVAL, get(&self->nl, "no spaces", &self->eps));
	memset(long_name, 'a', FASTIPC_NAME_MAX);
	long_name[FASTIPC_NAME_MAX] = '\0';
	EXPECT_EQ(-EINVAL, get(&self->nl, long_name, &self->eps));
	long_name[FASTIPC_NAME_MAX - 1] = '\0';	/* the longest name: valid */
	EXPECT_EQ(-ENOENT, get(&self->nl, long_name, &self->eps));
	/* Attributes a request does not take. */
	EXPECT_EQ(-EINVAL, request(&self->nl, FASTIPC_CMD_GET_ENDPOINT, 0, "x",
				   FASTIPC_A_ID, &self->eps));
	EXPECT_EQ(-EINVAL, request(&self->nl, FASTIPC_CMD_GET_ENDPOINT, 0, "x",
				   FASTIPC_A_CONN_ID, &self->eps));
	/* A dump takes no attribute but the name, which it ignores. */
	EXPECT_EQ(-EINVAL, request(&self->nl, FASTIPC_CMD_GET_ENDPOINT, NLM_F_DUMP,
				   NULL, FASTIPC_A_ID, &self->eps));
	/* Events are not requests. */
	EXPECT_EQ(-EOPNOTSUPP, request(&self->nl, FASTIPC_CMD_ENDPOINT_CREATED, 0,
				       NULL, 0, &self->eps));
}

TEST_F(nl, dump_spans_several_messages_without_repeats)
{
	enum { N = 300 };
	struct genl other;
	struct nl_msg *msg;
	int fds[N], i;
	long long id;

	for (i = 0; i < N; i++) {
		fds[i] = fastipc_endpoint_create(self->ctx, NULL, 0600);
		ASSERT_LE(0, fds[i]) TH_LOG("endpoint %d: %s", i, strerror(-fds[i]));
	}
	ASSERT_EQ(0, dump(&self->nl, &self->eps));
	for (i = 0; i < N; i++) {
		id = fdinfo(fds[i], "endpoint_id");
		EXPECT_EQ(1, count_id(&self->eps, id, NULL)) TH_LOG("endpoint %lld", id);
	}
	for (i = 1; i < (int)self->eps.nr; i++)
		EXPECT_LT(self->eps.ep[i - 1].id, self->eps.ep[i].id);

	/* A dump abandoned after its first part ends when its socket does. */
	ASSERT_EQ(0, genl_open(&other));
	msg = nlmsg_alloc();
	ASSERT_NE(NULL, msg);
	ASSERT_NE(NULL, genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, other.family, 0,
				    NLM_F_DUMP, FASTIPC_CMD_GET_ENDPOINT,
				    FASTIPC_GENL_VERSION));
	ASSERT_LT(0, nl_send_auto(other.sk, msg));
	nlmsg_free(msg);
	genl_close(&other);

	for (i = 0; i < N; i++)
		close(fds[i]);
}

/* A socket in the events group: 0, or a negative libnl error. */
static int events_open(struct genl *nl)
{
	int grp, ret;

	ret = genl_open(nl);
	if (ret)
		return ret;
	grp = genl_ctrl_resolve_grp(nl->sk, FASTIPC_GENL_NAME, FASTIPC_MCGRP_EVENTS);
	ret = grp < 0 ? grp : nl_socket_add_membership(nl->sk, grp);
	if (ret) {
		genl_close(nl);
		return ret;
	}
	nl_socket_set_nonblocking(nl->sk);
	return 0;
}

/* Events are not replies: they carry no sequence number to check. */
static int no_seq_check(struct nl_msg *msg, void *arg)
{
	return NL_OK;
}

/* Read events for endpoint @id into @eps until @cmd arrives or 2 s pass. */
static const struct nl_ep *wait_event(struct genl *nl, struct nl_eps *eps,
				      uint64_t id, uint8_t cmd)
{
	struct pollfd pfd = { .fd = nl_socket_get_fd(nl->sk), .events = POLLIN };
	struct nl_cb *cb = nl_cb_alloc(NL_CB_DEFAULT);
	const struct nl_ep *found = NULL;
	size_t i, seen = 0;

	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, collect, eps);
	nl_cb_set(cb, NL_CB_SEQ_CHECK, NL_CB_CUSTOM, no_seq_check, NULL);
	while (!found) {
		for (; seen < eps->nr && !found; seen++)
			if (eps->ep[seen].cmd == cmd && eps->ep[seen].id == id)
				found = &eps->ep[seen];
		if (found || poll(&pfd, 1, 2000) <= 0)
			break;
		if (nl_recvmsgs(nl->sk, cb) < 0)
			break;
	}
	for (i = 0; !found && i < eps->nr; i++)
		if (eps->ep[i].cmd == cmd && eps->ep[i].id == id)
			found = &eps->ep[i];
	nl_cb_put(cb);
	return found;
}

TEST_F(nl, events_created_peer_gone_destroyed)
{
	const struct nl_ep *created, *gone, *destroyed;
	char name[FASTIPC_NAME_MAX];
	long long id, conn_id;
	struct genl ev;
	int ret, fd, conn;

	if (geteuid())
		SKIP(return, "needs root");
	ret = events_open(&ev);
	ASSERT_EQ(0, ret) TH_LOG("joining the events group: %s", nl_geterror(ret));
	self->eps.nr = 0;

	unique_name(name, sizeof(name), "events");
	fd = fastipc_endpoint_create(self->ctx, name, 0640);
	ASSERT_LE(0, fd);
	id = fdinfo(fd, "endpoint_id");
	conn = fastipc_connect(self->ctx, name);
	ASSERT_LE(0, conn);
	conn_id = fdinfo(conn, "connection_id");
	ASSERT_LT(0, conn_id);
	close(conn);
	close(fd);

	created = wait_event(&ev, &self->eps, id, FASTIPC_CMD_ENDPOINT_CREATED);
	ASSERT_NE(NULL, created);
	EXPECT_STREQ(name, created->name);
	EXPECT_EQ(geteuid(), created->uid);
	EXPECT_EQ(getegid(), created->gid);
	EXPECT_EQ(0640, created->mode);
	EXPECT_FALSE(created->has[FASTIPC_A_CONN_ID]);

	gone = wait_event(&ev, &self->eps, id, FASTIPC_CMD_PEER_GONE);
	ASSERT_NE(NULL, gone);
	EXPECT_STREQ(name, gone->name);
	EXPECT_TRUE(gone->has[FASTIPC_A_CONN_ID]);
	EXPECT_EQ(conn_id, gone->conn_id);

	destroyed = wait_event(&ev, &self->eps, id, FASTIPC_CMD_ENDPOINT_DESTROYED);
	ASSERT_NE(NULL, destroyed);
	EXPECT_STREQ(name, destroyed->name);
	EXPECT_EQ(0640, destroyed->mode);

	/* In the order they happened. */
	EXPECT_LT(created, gone);
	EXPECT_LT(gone, destroyed);
	genl_close(&ev);
}

/*
 * A create that fails publishes nothing: with no fd free, CREATE_ENDPOINT
 * gets EMFILE before the name is entered, so no listener ever hears of it.
 */
TEST_F(nl, failed_create_is_never_announced)
{
	char name[FASTIPC_NAME_MAX], sentinel[FASTIPC_NAME_MAX];
	struct rlimit old, none;
	struct genl ev;
	long long id;
	size_t i;
	int ret, fd;

	if (geteuid())
		SKIP(return, "needs root");
	ret = events_open(&ev);
	ASSERT_EQ(0, ret);
	self->eps.nr = 0;
	unique_name(name, sizeof(name), "nofd");
	unique_name(sentinel, sizeof(sentinel), "after");

	ASSERT_EQ(0, getrlimit(RLIMIT_NOFILE, &old));
	fd = dup(0);
	ASSERT_LE(0, fd);
	close(fd);
	none = old;
	none.rlim_cur = fd;		/* the lowest free fd is now out of reach */
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &none));
	ret = fastipc_endpoint_create_persistent(self->ctx, name, 0600);
	ASSERT_EQ(0, setrlimit(RLIMIT_NOFILE, &old));
	EXPECT_EQ(-EMFILE, ret);
	/* Nothing was left under the name either. */
	EXPECT_EQ(-ENOENT, fastipc_unlink(self->ctx, name));

	fd = fastipc_endpoint_create(self->ctx, sentinel, 0600);
	ASSERT_LE(0, fd);
	id = fdinfo(fd, "endpoint_id");
	ASSERT_NE(NULL, wait_event(&ev, &self->eps, id, FASTIPC_CMD_ENDPOINT_CREATED));
	for (i = 0; i < self->eps.nr; i++)
		EXPECT_STRNE(name, self->eps.ep[i].name);
	close(fd);
	genl_close(&ev);
}

TEST_F(nl, anonymous_endpoint_events_carry_no_name)
{
	const struct nl_ep *created, *destroyed;
	struct genl ev;
	long long id;
	int fd;

	if (geteuid())
		SKIP(return, "needs root");
	ASSERT_EQ(0, events_open(&ev));
	self->eps.nr = 0;
	fd = fastipc_endpoint_create(self->ctx, NULL, 0600);
	ASSERT_LE(0, fd);
	id = fdinfo(fd, "endpoint_id");
	close(fd);

	created = wait_event(&ev, &self->eps, id, FASTIPC_CMD_ENDPOINT_CREATED);
	ASSERT_NE(NULL, created);
	EXPECT_FALSE(created->has[FASTIPC_A_NAME]);
	destroyed = wait_event(&ev, &self->eps, id, FASTIPC_CMD_ENDPOINT_DESTROYED);
	ASSERT_NE(NULL, destroyed);
	EXPECT_FALSE(destroyed->has[FASTIPC_A_NAME]);
	genl_close(&ev);
}

/* setsockopt(NETLINK_ADD_MEMBERSHIP) to the events group as uid 1000. */
static int unprivileged_subscribe(const void *arg)
{
	int grp = *(const int *)arg, ret = 0;
	struct genl nl;

	if (become_other())
		return -EPERM - 1000;
	if (genl_open(&nl))
		return -ENOENT - 1000;
	if (setsockopt(nl_socket_get_fd(nl.sk), SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
		       &grp, sizeof(grp)))
		ret = -errno;
	genl_close(&nl);
	return ret;
}

TEST_F(nl, unprivileged_listener_is_refused)
{
	int grp;

	if (geteuid())
		SKIP(return, "needs root");
	grp = genl_ctrl_resolve_grp(self->nl.sk, FASTIPC_GENL_NAME, FASTIPC_MCGRP_EVENTS);
	ASSERT_LT(0, grp);
	EXPECT_EQ(-EPERM, in_child(unprivileged_subscribe, &grp));
	/* The family itself is open to everyone: see other_user_dump(). */
}

TEST_HARNESS_MAIN
