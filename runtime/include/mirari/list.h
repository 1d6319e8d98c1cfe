/*
 * mirari/list.h: the intrusive doubly linked list used by the structures a
 * caller allocates (events, timers). Its layout is public because those
 * structures are; treat the fields as private.
 */
#ifndef MIRARI_LIST_H
#define MIRARI_LIST_H

struct mr_link {
	struct mr_link *next, *prev;
};

#define MR_LINK_INIT(self) { &(self), &(self) }

#endif /* MIRARI_LIST_H */
