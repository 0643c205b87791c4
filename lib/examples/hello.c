// SPDX-License-Identifier: LGPL-2.1-or-later
/* Open /dev/fastipc and say what the module offers. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fastipc.h"

int main(void)
{
	struct fastipc_info info;
	int ctx, ret;

	ctx = fastipc_open();
	if (ctx < 0) {
		fprintf(stderr, "cannot open %s: %s\n", FASTIPC_DEVICE_PATH, strerror(-ctx));
		return 1;
	}
	ret = fastipc_get_info(ctx, &info);
	if (ret < 0) {
		fprintf(stderr, "GET_INFO failed: %s\n", strerror(-ret));
		return 1;
	}
	printf("libfastipc %s talks to the fastipc module, ABI version %u.\n",
	       fastipc_version(), info.abi_version);
	printf("Limits: messages up to %u bytes, %u queued per endpoint,\n",
	       info.max_msg_size, info.queue_depth);
	printf("        %u endpoints, %llu queued bytes and %llu buffer bytes per user.\n",
	       info.max_endpoints, (unsigned long long)info.max_queued_bytes,
	       (unsigned long long)info.max_buffer_bytes);
	close(ctx);
	return 0;
}
