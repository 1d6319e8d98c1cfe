/* mirari/mirari.h: the whole application API. */
#ifndef MIRARI_MIRARI_H
#define MIRARI_MIRARI_H

#include <mirari/base.h>
#include <mirari/app.h>
#include <mirari/block.h>
#include <mirari/clock.h>
#include <mirari/event.h>
#include <mirari/log.h>
#include <mirari/param.h>
#include <mirari/stats.h>
#include <mirari/thread.h>
#include <mirari/timer.h>

#endif /* MIRARI_MIRARI_H */
