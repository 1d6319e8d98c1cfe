/*
 * backend.h: what the files of the Unix backend share.
 */
#ifndef MIRARI_UNIX_BACKEND_H
#define MIRARI_UNIX_BACKEND_H

/* crash.c: report a fault, naming the thread whose stack overflowed. */
void crash_install(void);

#endif /* MIRARI_UNIX_BACKEND_H */
