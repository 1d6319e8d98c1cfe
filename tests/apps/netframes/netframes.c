/*
 * netframes: echoes Ethernet frames on net device 0 through the platform
 * interface directly (no IP stack): each frame goes back to its sender,
 * with the sender's address as destination and ours as source.
 */
#include <stdio.h>
#include <string.h>

#include <mirari/mirari.h>
#include <mirari/plat.h>

/* The largest frame of a 64K MTU; the driver drops longer ones. */
static unsigned char frame[65536];

void
netframes_main(void)
{
	struct mr_plat_net_info info;
	int64_t count = mr_param_int("count");
	mr_time_t wait = mr_param_duration("wait");
	mr_result_t r;
	size_t len;
	int64_t echoed = 0;
	mr_time_t deadline;

	if ((r = mr_plat_net_open(0, &info)) != MR_OK) {
		printf("net0: %s\n", mr_strerror(r));
		fflush(stdout);
		mr_exit(1);
	}
	printf("mac %02x:%02x:%02x:%02x:%02x:%02x mtu %u\n", info.mac[0],
	       info.mac[1], info.mac[2], info.mac[3], info.mac[4], info.mac[5],
	       info.mtu);
	fflush(stdout);

	deadline = mr_now() + wait;
	while (echoed < count) {
		r = mr_plat_net_read(0, frame, (size_t)info.mtu + 14, &len);
		if (r == MR_EAGAIN) {
			r = mr_event_wait(mr_source_event(info.handle),
					  deadline);
			if (r == MR_ETIMEDOUT) {
				printf("timed out after %lld frames\n",
				       (long long)echoed);
				fflush(stdout);
				mr_exit(1);
			}
			continue;
		}
		if (r != MR_OK) {
			printf("read: %s\n", mr_strerror(r));
			continue;
		}
		if (len < 14)
			continue;
		/* Keep only frames for us: the kernel side also sends its own. */
		if (memcmp(frame, info.mac, 6) != 0)
			continue;
		memcpy(frame, frame + 6, 6);
		memcpy(frame + 6, info.mac, 6);
		if ((r = mr_plat_net_write(0, frame, len)) != MR_OK) {
			printf("write: %s\n", mr_strerror(r));
			fflush(stdout);
			mr_exit(1);
		}
		echoed++;
		deadline = mr_now() + wait;
		printf("echoed %zu bytes\n", len);
		fflush(stdout);
	}
	printf("done\n");
}
