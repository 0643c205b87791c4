// SPDX-License-Identifier: LGPL-2.1-or-later
/*
 * fastipcctl: list, show, remove and monitor fastipc endpoints, as ipcs(1)
 * and ipcrm(1) do for System V IPC.  Talks to the "fastipc" generic netlink
 * family through libnl-genl-3; removes names through libfastipc.
 *
 *	fastipcctl list [-j]		every endpoint the caller may list
 *	fastipcctl show NAME [-j]	one endpoint, every field
 *	fastipcctl rm NAME		remove a name
 *	fastipcctl monitor [-j]		print events until interrupted
 *
 * Exit status: 0 on success, 1 on any failure (with a message on stderr).
 */
#include <errno.h>
#include <getopt.h>
#include <grp.h>
#include <inttypes.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <netlink/genl/ctrl.h>
#include <netlink/genl/genl.h>
#include <netlink/netlink.h>

#include <linux/fastipc_netlink.h>

#include "fastipc.h"

#define UNUSED __attribute__((unused))

static const char *prog = "fastipcctl";

/* One endpoint or event, as the family reports it. */
struct endpoint {
	bool has[FASTIPC_A_MAX + 1];
	uint64_t id;
	char name[FASTIPC_NAME_MAX];
	uint32_t uid, gid, cuid, cgid;
	uint32_t mode, flags;
	uint32_t queued, receivers, connections;
	uint64_t sent, received, replied, replies_dropped, withdrawn;
	uint64_t conn_id;
};

static const struct nla_policy endpoint_policy[FASTIPC_A_MAX + 1] = {
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

/* Fill @ep from a message of the family; attributes it lacks stay unset. */
static int endpoint_parse(struct nl_msg *msg, struct endpoint *ep)
{
	struct nlattr *tb[FASTIPC_A_MAX + 1];
	int i, ret;

	memset(ep, 0, sizeof(*ep));
	ret = genlmsg_parse(nlmsg_hdr(msg), 0, tb, FASTIPC_A_MAX, endpoint_policy);
	if (ret < 0)
		return ret;
	for (i = 0; i <= FASTIPC_A_MAX; i++)
		ep->has[i] = tb[i];

#define GET(attr, field, type) \
	do { if (tb[attr]) ep->field = nla_get_##type(tb[attr]); } while (0)
	GET(FASTIPC_A_ID, id, u64);
	GET(FASTIPC_A_UID, uid, u32);
	GET(FASTIPC_A_GID, gid, u32);
	GET(FASTIPC_A_CUID, cuid, u32);
	GET(FASTIPC_A_CGID, cgid, u32);
	GET(FASTIPC_A_MODE, mode, u32);
	GET(FASTIPC_A_FLAGS, flags, u32);
	GET(FASTIPC_A_QUEUED, queued, u32);
	GET(FASTIPC_A_RECEIVERS, receivers, u32);
	GET(FASTIPC_A_CONNECTIONS, connections, u32);
	GET(FASTIPC_A_SENT, sent, u64);
	GET(FASTIPC_A_RECEIVED, received, u64);
	GET(FASTIPC_A_REPLIED, replied, u64);
	GET(FASTIPC_A_REPLIES_DROPPED, replies_dropped, u64);
	GET(FASTIPC_A_WITHDRAWN, withdrawn, u64);
	GET(FASTIPC_A_CONN_ID, conn_id, u64);
#undef GET
	if (tb[FASTIPC_A_NAME])
		snprintf(ep->name, sizeof(ep->name), "%s", nla_get_string(tb[FASTIPC_A_NAME]));
	return 0;
}

/* The user's name, or NULL if the user database does not know @uid. */
static const char *user_name(uint32_t uid)
{
	struct passwd *pw = getpwuid(uid);

	return pw ? pw->pw_name : NULL;
}

static const char *group_name(uint32_t gid)
{
	struct group *gr = getgrgid(gid);

	return gr ? gr->gr_name : NULL;
}

/* @name, or the number when there is none. */
static const char *name_or_id(char *buf, size_t size, const char *name, uint32_t id)
{
	if (name)
		return name;
	snprintf(buf, size, "%" PRIu32, id);
	return buf;
}

/* @s as a JSON string, or null. */
static void json_string(const char *s)
{
	if (!s) {
		fputs("null", stdout);
		return;
	}
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The fields of @ep as JSON members, after "{" and before "}". */
static void json_endpoint_fields(const struct endpoint *ep)
{
	printf("\"id\":%" PRIu64 ",\"name\":", ep->id);
	json_string(ep->has[FASTIPC_A_NAME] ? ep->name : NULL);
	printf(",\"uid\":%" PRIu32 ",\"owner\":", ep->uid);
	json_string(user_name(ep->uid));
	printf(",\"gid\":%" PRIu32 ",\"group\":", ep->gid);
	json_string(group_name(ep->gid));
	if (ep->has[FASTIPC_A_CUID]) {
		printf(",\"cuid\":%" PRIu32 ",\"creator\":", ep->cuid);
		json_string(user_name(ep->cuid));
		printf(",\"cgid\":%" PRIu32 ",\"creator_group\":", ep->cgid);
		json_string(group_name(ep->cgid));
	}
	printf(",\"mode\":\"%04" PRIo32 "\"", ep->mode);
	if (ep->has[FASTIPC_A_FLAGS])
		printf(",\"flags\":%" PRIu32 ",\"persistent\":%s", ep->flags,
		       ep->flags & FASTIPC_ENDPOINT_PERSISTENT ? "true" : "false");
	if (ep->has[FASTIPC_A_QUEUED])
		printf(",\"queued\":%" PRIu32 ",\"receivers\":%" PRIu32
		       ",\"connections\":%" PRIu32 ",\"sent\":%" PRIu64
		       ",\"received\":%" PRIu64 ",\"replied\":%" PRIu64
		       ",\"replies_dropped\":%" PRIu64 ",\"withdrawn\":%" PRIu64,
		       ep->queued, ep->receivers, ep->connections, ep->sent,
		       ep->received, ep->replied, ep->replies_dropped, ep->withdrawn);
	if (ep->has[FASTIPC_A_CONN_ID])
		printf(",\"connection_id\":%" PRIu64, ep->conn_id);
}

/* --- Talking to the family ------------------------------------------------ */

struct ctl {
	struct nl_sock *sk;
	int family;
};

/*
 * Connect to generic netlink and resolve the family.  Prints why not and
 * returns -1 on failure.
 */
static int ctl_open(struct ctl *ctl)
{
	int ret;

	ctl->sk = nl_socket_alloc();
	if (!ctl->sk) {
		fprintf(stderr, "%s: cannot allocate a netlink socket\n", prog);
		return -1;
	}
	ret = genl_connect(ctl->sk);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot connect to generic netlink: %s\n", prog,
			nl_geterror(ret));
		goto err_sock;
	}
	ctl->family = genl_ctrl_resolve(ctl->sk, FASTIPC_GENL_NAME);
	if (ctl->family < 0) {
		if (ctl->family == -NLE_OBJ_NOTFOUND)
			fprintf(stderr, "%s: fastipc module not loaded (no generic netlink family \"%s\")\n",
				prog, FASTIPC_GENL_NAME);
		else
			fprintf(stderr, "%s: cannot resolve generic netlink family \"%s\": %s\n",
				prog, FASTIPC_GENL_NAME, nl_geterror(ctl->family));
		goto err_sock;
	}
	return 0;

err_sock:
	nl_socket_free(ctl->sk);
	return -1;
}

static void ctl_close(struct ctl *ctl)
{
	nl_socket_free(ctl->sk);
}

/* The request's state: 1 while replies are due, then 0 or -errno. */
static int on_error(struct sockaddr_nl *nla UNUSED, struct nlmsgerr *err, void *arg)
{
	*(int *)arg = err->error;
	return NL_STOP;
}

static int on_finish(struct nl_msg *msg UNUSED, void *arg)
{
	*(int *)arg = 0;
	return NL_SKIP;
}

static int on_ack(struct nl_msg *msg UNUSED, void *arg)
{
	*(int *)arg = 0;
	return NL_STOP;
}

/*
 * Send GET_ENDPOINT (a dump if @name is NULL) and hand each reply to @valid.
 * Returns 0, the kernel's -errno, or 1 after printing a transport failure.
 */
static int ctl_get_endpoint(struct ctl *ctl, const char *name,
			    nl_recvmsg_msg_cb_t valid, void *arg)
{
	struct nl_msg *msg;
	struct nl_cb *cb;
	int ret, state;

	msg = nlmsg_alloc();
	cb = nl_cb_alloc(NL_CB_DEFAULT);
	if (!msg || !cb) {
		fprintf(stderr, "%s: out of memory\n", prog);
		ret = 1;
		goto out;
	}
	if (!genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, ctl->family, 0,
			 name ? 0 : NLM_F_DUMP, FASTIPC_CMD_GET_ENDPOINT,
			 FASTIPC_GENL_VERSION) ||
	    (name && nla_put_string(msg, FASTIPC_A_NAME, name) < 0)) {
		fprintf(stderr, "%s: cannot build the request\n", prog);
		ret = 1;
		goto out;
	}
	ret = nl_send_auto(ctl->sk, msg);
	if (ret < 0) {
		fprintf(stderr, "%s: cannot send to the fastipc family: %s\n", prog,
			nl_geterror(ret));
		ret = 1;
		goto out;
	}

	state = 1;
	nl_cb_set(cb, NL_CB_VALID, NL_CB_CUSTOM, valid, arg);
	nl_cb_set(cb, NL_CB_FINISH, NL_CB_CUSTOM, on_finish, &state);
	nl_cb_set(cb, NL_CB_ACK, NL_CB_CUSTOM, on_ack, &state);
	nl_cb_err(cb, NL_CB_CUSTOM, on_error, &state);
	while (state > 0) {
		ret = nl_recvmsgs(ctl->sk, cb);
		if (ret < 0 && state > 0) {
			fprintf(stderr, "%s: cannot read the reply: %s\n", prog,
				nl_geterror(ret));
			state = 1;
			break;
		}
	}
	ret = state;
out:
	nl_cb_put(cb);
	nlmsg_free(msg);
	return ret;
}

/* --- list ------------------------------------------------------------------ */

struct endpoint_list {
	struct endpoint *ep;
	size_t nr, room;
	int error;
};

static int list_add(struct nl_msg *msg, void *arg)
{
	struct endpoint_list *list = arg;
	struct endpoint *grown;

	/* After a failure, read the rest of the dump without keeping it. */
	if (list->error)
		return NL_SKIP;
	if (list->nr == list->room) {
		grown = realloc(list->ep, 2 * (list->room + 8) * sizeof(*grown));
		if (!grown) {
			list->error = -ENOMEM;
			return NL_SKIP;
		}
		list->ep = grown;
		list->room = 2 * (list->room + 8);
	}
	if (endpoint_parse(msg, &list->ep[list->nr]) < 0) {
		list->error = -EBADMSG;
		return NL_SKIP;
	}
	list->nr++;
	return NL_OK;
}

enum column { ID, NAME, OWNER, GROUP, MODE, QUEUED, RECEIVERS, CONNECTIONS, SENT,
	      RECEIVED, NR_COLUMNS };

static const char * const column_title[NR_COLUMNS] = {
	"ID", "NAME", "OWNER", "GROUP", "MODE", "QUEUED", "RECEIVERS", "CONNECTIONS",
	"SENT", "RECEIVED",
};

/* The table's cells for @ep. */
static void list_row(const struct endpoint *ep, char cell[NR_COLUMNS][FASTIPC_NAME_MAX])
{
	char num[16];

	snprintf(cell[ID], FASTIPC_NAME_MAX, "%" PRIu64, ep->id);
	snprintf(cell[NAME], FASTIPC_NAME_MAX, "%s", ep->has[FASTIPC_A_NAME] ? ep->name : "-");
	snprintf(cell[OWNER], FASTIPC_NAME_MAX, "%s",
		 name_or_id(num, sizeof(num), user_name(ep->uid), ep->uid));
	snprintf(cell[GROUP], FASTIPC_NAME_MAX, "%s",
		 name_or_id(num, sizeof(num), group_name(ep->gid), ep->gid));
	snprintf(cell[MODE], FASTIPC_NAME_MAX, "%04" PRIo32, ep->mode);
	snprintf(cell[QUEUED], FASTIPC_NAME_MAX, "%" PRIu32, ep->queued);
	snprintf(cell[RECEIVERS], FASTIPC_NAME_MAX, "%" PRIu32, ep->receivers);
	snprintf(cell[CONNECTIONS], FASTIPC_NAME_MAX, "%" PRIu32, ep->connections);
	snprintf(cell[SENT], FASTIPC_NAME_MAX, "%" PRIu64, ep->sent);
	snprintf(cell[RECEIVED], FASTIPC_NAME_MAX, "%" PRIu64, ep->received);
}

/* Names and owners left-aligned, numbers right-aligned, as ipcs does. */
static void list_print_row(char cell[NR_COLUMNS][FASTIPC_NAME_MAX], const int *width)
{
	int c;

	for (c = 0; c < NR_COLUMNS; c++) {
		bool left = c == NAME || c == OWNER || c == GROUP;

		if (c == NR_COLUMNS - 1)
			printf("%*s\n", width[c], cell[c]);
		else
			printf(left ? "%-*s  " : "%*s  ", width[c], cell[c]);
	}
}

static void list_print_table(const struct endpoint_list *list)
{
	char cell[NR_COLUMNS][FASTIPC_NAME_MAX];
	int width[NR_COLUMNS];
	size_t i;
	int c;

	for (c = 0; c < NR_COLUMNS; c++) {
		width[c] = strlen(column_title[c]);
		snprintf(cell[c], FASTIPC_NAME_MAX, "%s", column_title[c]);
	}
	for (i = 0; i < list->nr; i++) {
		list_row(&list->ep[i], cell);
		for (c = 0; c < NR_COLUMNS; c++)
			if ((int)strlen(cell[c]) > width[c])
				width[c] = strlen(cell[c]);
	}
	for (c = 0; c < NR_COLUMNS; c++)
		snprintf(cell[c], FASTIPC_NAME_MAX, "%s", column_title[c]);
	list_print_row(cell, width);
	for (i = 0; i < list->nr; i++) {
		list_row(&list->ep[i], cell);
		list_print_row(cell, width);
	}
}

static int cmd_list(struct ctl *ctl, bool json)
{
	struct endpoint_list list = { 0 };
	size_t i;
	int ret;

	ret = ctl_get_endpoint(ctl, NULL, list_add, &list);
	if (!ret)
		ret = list.error;
	if (ret) {
		if (ret < 0)
			fprintf(stderr, "%s: cannot list endpoints: %s\n", prog, strerror(-ret));
		free(list.ep);
		return 1;
	}
	if (json) {
		for (i = 0; i < list.nr; i++) {
			putchar('{');
			json_endpoint_fields(&list.ep[i]);
			puts("}");
		}
	} else {
		list_print_table(&list);
	}
	free(list.ep);
	return 0;
}

/* --- show ------------------------------------------------------------------ */

struct show_reply {
	struct endpoint ep;
	int parsed;	/* 0: no reply yet, 1: parsed, -1: malformed */
};

static int show_get(struct nl_msg *msg, void *arg)
{
	struct show_reply *reply = arg;

	reply->parsed = endpoint_parse(msg, &reply->ep) < 0 ? -1 : 1;
	return NL_OK;
}

static void show_id(const char *label, uint32_t id, const char *name)
{
	if (name)
		printf("%-16s %s (%" PRIu32 ")\n", label, name, id);
	else
		printf("%-16s %" PRIu32 "\n", label, id);
}

static int cmd_show(struct ctl *ctl, const char *name, bool json)
{
	struct show_reply reply = { .parsed = 0 };
	const struct endpoint *ep = &reply.ep;
	int ret;

	ret = ctl_get_endpoint(ctl, name, show_get, &reply);
	if (ret > 0)
		return 1;
	if (ret == -ENOENT) {
		fprintf(stderr, "%s: no endpoint called \"%s\"\n", prog, name);
		return 1;
	}
	if (ret == -EINVAL) {
		fprintf(stderr, "%s: \"%s\" is not a valid endpoint name\n", prog, name);
		return 1;
	}
	if (ret < 0) {
		fprintf(stderr, "%s: cannot show \"%s\": %s\n", prog, name, strerror(-ret));
		return 1;
	}
	if (reply.parsed != 1 || !ep->has[FASTIPC_A_ID]) {
		fprintf(stderr, "%s: malformed reply from the fastipc family\n", prog);
		return 1;
	}

	if (json) {
		putchar('{');
		json_endpoint_fields(ep);
		puts("}");
		return 0;
	}
	printf("%-16s %" PRIu64 "\n", "id:", ep->id);
	printf("%-16s %s\n", "name:", ep->has[FASTIPC_A_NAME] ? ep->name : "-");
	show_id("owner:", ep->uid, user_name(ep->uid));
	show_id("group:", ep->gid, group_name(ep->gid));
	show_id("creator:", ep->cuid, user_name(ep->cuid));
	show_id("creator group:", ep->cgid, group_name(ep->cgid));
	printf("%-16s %04" PRIo32 "\n", "mode:", ep->mode);
	printf("%-16s %s\n", "flags:",
	       ep->flags & FASTIPC_ENDPOINT_PERSISTENT ? "persistent" : "-");
	printf("%-16s %" PRIu32 "\n", "queued:", ep->queued);
	printf("%-16s %" PRIu32 "\n", "receivers:", ep->receivers);
	printf("%-16s %" PRIu32 "\n", "connections:", ep->connections);
	printf("%-16s %" PRIu64 "\n", "sent:", ep->sent);
	printf("%-16s %" PRIu64 "\n", "received:", ep->received);
	printf("%-16s %" PRIu64 "\n", "replied:", ep->replied);
	printf("%-16s %" PRIu64 "\n", "replies dropped:", ep->replies_dropped);
	printf("%-16s %" PRIu64 "\n", "withdrawn:", ep->withdrawn);
	return 0;
}

/* --- rm -------------------------------------------------------------------- */

static int cmd_rm(const char *name)
{
	int ctx, ret;

	ctx = fastipc_open();
	if (ctx < 0) {
		if (ctx == -ENOENT || ctx == -ENODEV || ctx == -ENXIO)
			fprintf(stderr, "%s: fastipc module not loaded (cannot open %s: %s)\n",
				prog, FASTIPC_DEVICE_PATH, strerror(-ctx));
		else
			fprintf(stderr, "%s: cannot open %s: %s\n", prog,
				FASTIPC_DEVICE_PATH, strerror(-ctx));
		return 1;
	}
	ret = fastipc_unlink(ctx, name);
	close(ctx);
	switch (ret) {
	case 0:
		return 0;
	case -ENOENT:
		fprintf(stderr, "%s: no endpoint called \"%s\"\n", prog, name);
		break;
	case -EPERM:
		fprintf(stderr, "%s: cannot remove \"%s\": only its owner, its creator or CAP_SYS_ADMIN may\n",
			prog, name);
		break;
	case -EINVAL:
	case -ENAMETOOLONG:
		fprintf(stderr, "%s: \"%s\" is not a valid endpoint name\n", prog, name);
		break;
	default:
		fprintf(stderr, "%s: cannot remove \"%s\": %s\n", prog, name, strerror(-ret));
		break;
	}
	return 1;
}

/* --- monitor --------------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig UNUSED)
{
	stop = 1;
}

static int monitor_event(struct nl_msg *msg, void *arg)
{
	const struct genlmsghdr *gnlh = nlmsg_data(nlmsg_hdr(msg));
	const bool *json = arg;
	const char *event;
	struct endpoint ep;
	char u[16], g[16];

	switch (gnlh->cmd) {
	case FASTIPC_CMD_ENDPOINT_CREATED:
		event = "created";
		break;
	case FASTIPC_CMD_ENDPOINT_DESTROYED:
		event = "destroyed";
		break;
	case FASTIPC_CMD_PEER_GONE:
		event = "peer-gone";
		break;
	default:
		return NL_SKIP;		/* a newer module's event */
	}
	if (endpoint_parse(msg, &ep) < 0)
		return NL_SKIP;

	if (*json) {
		printf("{\"event\":\"%s\",", event);
		json_endpoint_fields(&ep);
		puts("}");
	} else {
		printf("%-9s id=%" PRIu64 " name=%s owner=%s group=%s mode=%04" PRIo32,
		       event, ep.id, ep.has[FASTIPC_A_NAME] ? ep.name : "-",
		       name_or_id(u, sizeof(u), user_name(ep.uid), ep.uid),
		       name_or_id(g, sizeof(g), group_name(ep.gid), ep.gid), ep.mode);
		if (ep.has[FASTIPC_A_CONN_ID])
			printf(" connection=%" PRIu64, ep.conn_id);
		putchar('\n');
	}
	fflush(stdout);
	return NL_OK;
}

static int cmd_monitor(struct ctl *ctl, bool json)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd;
	int grp, ret;

	grp = genl_ctrl_resolve_grp(ctl->sk, FASTIPC_GENL_NAME, FASTIPC_MCGRP_EVENTS);
	if (grp < 0) {
		fprintf(stderr, "%s: the fastipc family has no \"%s\" group: %s\n", prog,
			FASTIPC_MCGRP_EVENTS, nl_geterror(grp));
		return 1;
	}
	ret = nl_socket_add_membership(ctl->sk, grp);
	if (ret < 0) {
		if (ret == -NLE_PERM)
			fprintf(stderr, "%s: listening to fastipc events needs CAP_SYS_ADMIN in the initial network namespace\n",
				prog);
		else
			fprintf(stderr, "%s: cannot join the fastipc events group: %s\n", prog,
				nl_geterror(ret));
		return 1;
	}
	/* Events are not replies: no sequence numbers to match. */
	nl_socket_disable_seq_check(ctl->sk);
	nl_socket_modify_cb(ctl->sk, NL_CB_VALID, NL_CB_CUSTOM, monitor_event, &json);
	nl_socket_set_buffer_size(ctl->sk, 1 << 20, 0);
	ret = nl_socket_set_nonblocking(ctl->sk);
	if (ret < 0) {
		fprintf(stderr, "%s: %s\n", prog, nl_geterror(ret));
		return 1;
	}

	/* libnl retries reads a signal interrupts: wait in poll() instead. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	pfd.fd = nl_socket_get_fd(ctl->sk);
	pfd.events = POLLIN;
	while (!stop) {
		ret = poll(&pfd, 1, -1);
		if (ret < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "%s: poll: %s\n", prog, strerror(errno));
			return 1;
		}
		ret = nl_recvmsgs_default(ctl->sk);
		if (ret == -NLE_NOMEM) {
			/* ENOBUFS: the receive queue overflowed. */
			fprintf(stderr, "%s: events were lost (receive buffer full)\n", prog);
		} else if (ret < 0) {
			fprintf(stderr, "%s: cannot read events: %s\n", prog, nl_geterror(ret));
			return 1;
		}
	}
	return 0;
}

/* --- main ------------------------------------------------------------------ */

static void usage(FILE *f)
{
	fprintf(f,
		"usage: %s list [-j]          list the endpoints you may see\n"
		"       %s show NAME [-j]     describe one endpoint\n"
		"       %s rm NAME            remove a name\n"
		"       %s monitor [-j]       print events (needs CAP_SYS_ADMIN)\n"
		"       %s -h | --version\n"
		"  -j, --json   one JSON object per line\n",
		prog, prog, prog, prog, prog);
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "json", no_argument, NULL, 'j' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 },
	};
	const char *cmd, *name = NULL;
	bool json = false, need_name;
	struct ctl ctl;
	int opt, ret;

	while ((opt = getopt_long(argc, argv, "jhV", longopts, NULL)) != -1) {
		switch (opt) {
		case 'j':
			json = true;
			break;
		case 'h':
			usage(stdout);
			return 0;
		case 'V':
			printf("%s (libfastipc %s)\n", prog, fastipc_version());
			return 0;
		default:
			usage(stderr);
			return 1;
		}
	}
	if (optind >= argc) {
		usage(stderr);
		return 1;
	}
	cmd = argv[optind++];
	need_name = !strcmp(cmd, "show") || !strcmp(cmd, "rm");
	if (need_name) {
		if (optind >= argc) {
			fprintf(stderr, "%s: %s needs an endpoint name\n", prog, cmd);
			return 1;
		}
		name = argv[optind++];
	}
	if (optind < argc) {
		fprintf(stderr, "%s: unexpected argument \"%s\"\n", prog, argv[optind]);
		return 1;
	}

	if (!strcmp(cmd, "rm")) {
		if (json) {
			fprintf(stderr, "%s: rm prints nothing, -j does not apply\n", prog);
			return 1;
		}
		return cmd_rm(name);
	}
	if (strcmp(cmd, "list") && strcmp(cmd, "show") && strcmp(cmd, "monitor")) {
		fprintf(stderr, "%s: unknown command \"%s\"\n", prog, cmd);
		usage(stderr);
		return 1;
	}

	if (ctl_open(&ctl))
		return 1;
	if (!strcmp(cmd, "list"))
		ret = cmd_list(&ctl, json);
	else if (!strcmp(cmd, "show"))
		ret = cmd_show(&ctl, name, json);
	else
		ret = cmd_monitor(&ctl, json);
	ctl_close(&ctl);
	return ret;
}
