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

/*
 * The operations, for the runtime and drivers. A detached link points at
 * itself, so removing it twice is harmless.
 */
static inline void
mr_link_init(struct mr_link *l)
{
	l->next = l->prev = l;
}

static inline int
mr_link_empty(const struct mr_link *head)
{
	return head->next == head;
}

static inline void
mr_link_append(struct mr_link *head, struct mr_link *l)
{
	l->prev = head->prev;
	l->next = head;
	head->prev->next = l;
	head->prev = l;
}

static inline void
mr_link_remove(struct mr_link *l)
{
	l->prev->next = l->next;
	l->next->prev = l->prev;
	mr_link_init(l);
}

#endif /* MIRARI_LIST_H */
