// SPDX-License-Identifier: GPL-2.0
/*
 * A QEMU TCG plugin for make profile: counts the guest instructions executed
 * per translation block while the guest runs between two marker addresses
 * (the entries of profile_rt's mark_start() and mark_stop()), and at exit
 * writes one line per block executed in that window:
 *
 *	VADDR INSNS_PER_BLOCK EXECUTIONS
 *
 * A block belongs to one function (calls and jumps end blocks), so summing
 * by symbol gives exact per-function instruction counts, without sampling.
 *
 * Debian's QEMU packages ship no qemu-plugin.h: the few entry points used
 * are declared here, as QEMU's stable plugin C API (version 1) defines them.
 *
 *	-plugin insn_count.so,start=ADDR,stop=ADDR,out=FILE
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef uint64_t qemu_plugin_id_t;
struct qemu_plugin_tb;
typedef void (*qemu_plugin_tb_trans_cb_t)(qemu_plugin_id_t id, struct qemu_plugin_tb *tb);
typedef void (*qemu_plugin_vcpu_udata_cb_t)(unsigned int vcpu, void *udata);
typedef void (*qemu_plugin_udata_cb_t)(qemu_plugin_id_t id, void *udata);

void qemu_plugin_register_vcpu_tb_trans_cb(qemu_plugin_id_t id, qemu_plugin_tb_trans_cb_t cb);
size_t qemu_plugin_tb_n_insns(const struct qemu_plugin_tb *tb);
uint64_t qemu_plugin_tb_vaddr(const struct qemu_plugin_tb *tb);
void qemu_plugin_register_vcpu_tb_exec_cb(struct qemu_plugin_tb *tb,
					  qemu_plugin_vcpu_udata_cb_t cb, int flags,
					  void *udata);
void qemu_plugin_register_atexit_cb(qemu_plugin_id_t id, qemu_plugin_udata_cb_t cb,
				    void *udata);

__attribute__((visibility("default"))) int qemu_plugin_version = 1;

struct block {
	uint64_t vaddr;
	uint64_t insns;
	uint64_t executions;
};

/* Open addressing on (vaddr, length): a block may be translated again. */
#define TABLE_BITS 21
#define TABLE_SIZE (1u << TABLE_BITS)
static struct block *table[TABLE_SIZE];
static uint64_t keys[TABLE_SIZE];

static uint64_t start_pc, stop_pc, windows;
static int counting;
static const char *out_path = "insn_count.txt";

static void on_exec(unsigned int vcpu, void *udata)
{
	struct block *b = udata;

	if (b->vaddr == start_pc) {
		counting = 1;
		windows++;
	} else if (b->vaddr == stop_pc) {
		counting = 0;
	}
	if (counting)
		b->executions++;
}

static void on_translate(qemu_plugin_id_t id, struct qemu_plugin_tb *tb)
{
	uint64_t vaddr = qemu_plugin_tb_vaddr(tb);
	uint64_t insns = qemu_plugin_tb_n_insns(tb);
	uint64_t key = vaddr ^ (insns << 56);
	uint64_t h = (key * 0x9e3779b97f4a7c15ull) >> (64 - TABLE_BITS);

	while (table[h] && keys[h] != key)
		h = (h + 1) & (TABLE_SIZE - 1);
	if (!table[h]) {
		table[h] = calloc(1, sizeof(*table[h]));
		if (!table[h])
			abort();
		table[h]->vaddr = vaddr;
		table[h]->insns = insns;
		keys[h] = key;
	}
	qemu_plugin_register_vcpu_tb_exec_cb(tb, on_exec, 0, table[h]);
}

static void write_counts(qemu_plugin_id_t id, void *udata)
{
	FILE *f = fopen(out_path, "w");

	if (!f)
		return;
	fprintf(f, "# windows %llu\n", (unsigned long long)windows);
	for (unsigned int i = 0; i < TABLE_SIZE; i++)
		if (table[i] && table[i]->executions)
			fprintf(f, "%016llx %llu %llu\n",
				(unsigned long long)table[i]->vaddr,
				(unsigned long long)table[i]->insns,
				(unsigned long long)table[i]->executions);
	fclose(f);
}

__attribute__((visibility("default")))
int qemu_plugin_install(qemu_plugin_id_t id, const void *info, int argc, char **argv)
{
	for (int i = 0; i < argc; i++) {
		if (!strncmp(argv[i], "start=", 6))
			start_pc = strtoull(argv[i] + 6, NULL, 0);
		else if (!strncmp(argv[i], "stop=", 5))
			stop_pc = strtoull(argv[i] + 5, NULL, 0);
		else if (!strncmp(argv[i], "out=", 4))
			out_path = argv[i] + 4;
	}
	if (!start_pc || !stop_pc)
		return -1;
	qemu_plugin_register_vcpu_tb_trans_cb(id, on_translate);
	qemu_plugin_register_atexit_cb(id, write_counts, NULL);
	return 0;
}
