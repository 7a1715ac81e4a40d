/*
 * dirlock.h - stage output: the lock of an output folder, so that two
 * clvsim processes writing into one --out DIR never mix their groups
 * (share.csv of one run beside clv.csv of another).
 *
 * The lock is flock(2) LOCK_EX on the file DIR/.clvsim.lock, held only
 * while a group's complete files are renamed into place (milliseconds).
 * The file is removed when the lock is released, so a folder holds no
 * lock file between runs; a waiter that wakes on a removed file (its
 * inode no longer the one at the path) opens the path again. A lock dies
 * with its process, so a crashed writer never leaves the folder locked.
 */
#ifndef CLV_DIRLOCK_H
#define CLV_DIRLOCK_H

#include "clvsim.h"
#include "base/diag.h"

/* Seconds a writer waits for another one before giving up. */
#define DIRLOCK_WAIT_S 60.0
#define DIRLOCK_NAME ".clvsim.lock"

typedef struct dirlock dirlock;

/* Take the lock of dir (NULL or "" = the current folder), waiting while
   another process holds it, polling the interrupt flag. NULL with err:
   CLV_ERR_IO naming the lock file (cannot create it; still held by
   another process after DIRLOCK_WAIT_S), CLV_ERR_INTERRUPTED,
   CLV_ERR_NOMEM. */
dirlock *dirlock_take(const char *dir, clv_error *err);

/* Remove the lock file, release the lock, free l. NULL is a no-op. */
void dirlock_release(dirlock *l);

#endif
