/*
 * mirari_config.h for the unit tests: what `mirari configure` generates for
 * an application, fixed here. Stacks are larger than the default because
 * AddressSanitizer's redzones make frames several times bigger; the limits
 * are small so that tests can reach them.
 */
#ifndef MIRARI_CONFIG_H
#define MIRARI_CONFIG_H

#define MR_CFG_APP_NAME			"unit"
#define MR_CFG_TARGET			"unix"

#define MR_CFG_RUNTIME_STACK_SIZE	65536
#define MR_CFG_RUNTIME_MAX_THREADS	16
#define MR_CFG_RUNTIME_STACK_CACHE	2
#define MR_CFG_RUNTIME_LOG_LEVEL	2	/* info */

#endif /* MIRARI_CONFIG_H */
