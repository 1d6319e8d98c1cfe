/*
 * heap.c: the deadline heap.
 *
 * Every pending deadline (a sleeping thread, a wait with a timeout, an
 * armed timer) is a struct mr__deadline owned by its thread or timer; the
 * heap only holds pointers to them in a growable array. Each deadline
 * records its index (slot) so it can be removed in O(log n) when a thread
 * is woken early or a timer is stopped. Equal deadlines come out in the
 * order they went in, so two timers due at the same time run in the order
 * they were started.
 */
#include <stdlib.h>

#include "runtime.h"

static bool
before(const struct mr__deadline *a, const struct mr__deadline *b)
{
	if (a->when != b->when)
		return a->when < b->when;
	return a->seq < b->seq;
}

static void
put(struct heap *h, size_t i, struct mr__deadline *dl)
{
	h->v[i] = dl;
	dl->slot = i;
}

/* Move the deadline at (i) towards the root while it is due earlier. */
static void
sift_up(struct heap *h, size_t i)
{
	struct mr__deadline *dl = h->v[i];

	while (i > 0 && before(dl, h->v[(i - 1) / 2])) {
		put(h, i, h->v[(i - 1) / 2]);
		i = (i - 1) / 2;
	}
	put(h, i, dl);
}

/* Move the deadline at (i) towards the leaves while it is due later. */
static void
sift_down(struct heap *h, size_t i)
{
	struct mr__deadline *dl = h->v[i];
	size_t child;

	while ((child = 2 * i + 1) < h->n) {
		if (child + 1 < h->n && before(h->v[child + 1], h->v[child]))
			child++;
		if (!before(h->v[child], dl))
			break;
		put(h, i, h->v[child]);
		i = child;
	}
	put(h, i, dl);
}

/*
 * Add (dl), which must not be in a heap already. Running out of memory
 * here panics: a thread that asks to sleep has no way to fail.
 */
void
heap_insert(struct heap *h, struct mr__deadline *dl)
{
	if (h->n == h->cap) {
		size_t cap = h->cap ? 2 * h->cap : 64;
		struct mr__deadline **v = realloc(h->v, cap * sizeof *v);

		if (v == NULL)
			mr_panic("out of memory for %zu deadlines", cap);
		h->v = v;
		h->cap = cap;
	}
	dl->seq = h->seq++;
	put(h, h->n++, dl);
	sift_up(h, dl->slot);
}

/* Take (dl) out of the heap; it must be in it. */
void
heap_remove(struct heap *h, struct mr__deadline *dl)
{
	size_t i = dl->slot;
	struct mr__deadline *last = h->v[--h->n];

	dl->slot = SIZE_MAX;
	if (i == h->n)
		return;
	put(h, i, last);
	if (i > 0 && before(last, h->v[(i - 1) / 2]))
		sift_up(h, i);
	else
		sift_down(h, i);
}
