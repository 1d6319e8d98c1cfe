/*
 * ring.h: copying bytes into and out of a Xen byte ring shared with
 * another domain (the xenstore page, the console page).
 *
 * Such a ring is an array of (size) bytes, a power of two, with two free
 * running 32-bit indices: the producer's, which only the producer writes,
 * and the consumer's, which only the consumer writes. A byte at index i
 * lives at ring[i & (size - 1)]; prod - cons (modulo 2^32) is the number
 * of bytes in the ring and is never more than (size).
 *
 * The page is writable by the other domain, which may be buggy or hostile,
 * so each index is read exactly once (a second read could see another
 * value than the one that was checked), indices that claim more than
 * (size) bytes are refused with MR_EINVAL, and every copy is bounded by
 * (size) whatever the indices say. Once indices are corrupt the ring cannot
 * be trusted again: the caller stops using it until the connection is
 * reset.
 *
 * Ordering: the other side's index is loaded with acquire semantics, so
 * our reads of the bytes it produced, and our writes over the bytes it
 * consumed, come after it; our own index is stored with release semantics,
 * so the other side sees it only after the bytes we produced or consumed.
 * On x86 both are plain moves; the compiler is what they constrain.
 */
#ifndef MIRARI_XEN_RING_H
#define MIRARI_XEN_RING_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <mirari/base.h>

/*
 * Bytes in the ring from the indices (prod) and (cons), or MR_EINVAL when
 * they are impossible: more than (size) bytes, which is also what a
 * consumer index ahead of the producer's looks like.
 */
static inline mr_result_t
xen_ring_used(uint32_t prod, uint32_t cons, uint32_t size, uint32_t *used)
{
	uint32_t n = prod - cons;

	if (n > size) {
		*used = 0;
		return MR_EINVAL;
	}
	*used = n;
	return MR_OK;
}

/*
 * Produce: copy up to (len) bytes of (data) into (ring), as many as there
 * is room for, and publish them by advancing *(prodp), our index.
 * *(consp) is the other side's. Sets *(done) to the bytes written, which
 * may be less than (len), even 0 when the ring is full. The caller keeps
 * (data).
 */
static inline mr_result_t
xen_ring_put(char *ring, uint32_t size, uint32_t *prodp, const uint32_t *consp,
    const void *data, size_t len, size_t *done)
{
	const char *src = data;
	uint32_t cons, prod, used, off, n, first;
	mr_result_t r;

	*done = 0;
	cons = __atomic_load_n(consp, __ATOMIC_ACQUIRE);
	prod = __atomic_load_n(prodp, __ATOMIC_RELAXED);
	if ((r = xen_ring_used(prod, cons, size, &used)) != MR_OK)
		return r;
	n = size - used;
	if (len < n)
		n = (uint32_t)len;
	if (n == 0)
		return MR_OK;
	off = prod & (size - 1);
	first = size - off < n ? size - off : n;
	memcpy(ring + off, src, first);
	memcpy(ring, src + first, n - first);
	__atomic_store_n(prodp, prod + n, __ATOMIC_RELEASE);
	*done = n;
	return MR_OK;
}

/*
 * Consume: copy up to (len) bytes out of (ring) into (buf), as many as
 * there are, and free their room by advancing *(consp), our index.
 * *(prodp) is the other side's. Sets *(done) to the bytes read, 0 when the
 * ring is empty. The caller supplies (buf), of (len) bytes.
 */
static inline mr_result_t
xen_ring_get(const char *ring, uint32_t size, const uint32_t *prodp,
    uint32_t *consp, void *buf, size_t len, size_t *done)
{
	char *dst = buf;
	uint32_t cons, prod, used, off, n, first;
	mr_result_t r;

	*done = 0;
	prod = __atomic_load_n(prodp, __ATOMIC_ACQUIRE);
	cons = __atomic_load_n(consp, __ATOMIC_RELAXED);
	if ((r = xen_ring_used(prod, cons, size, &used)) != MR_OK)
		return r;
	n = len < used ? (uint32_t)len : used;
	if (n == 0)
		return MR_OK;
	off = cons & (size - 1);
	first = size - off < n ? size - off : n;
	memcpy(dst, ring + off, first);
	memcpy(dst + first, ring, n - first);
	__atomic_store_n(consp, cons + n, __ATOMIC_RELEASE);
	*done = n;
	return MR_OK;
}

#endif /* MIRARI_XEN_RING_H */
