/*
 * A directory of numbered files, for the backends that write down what a
 * gate would show or play (screen_file.c, sound_file.c): each file named
 * NNNNNN-what.EXT, numbered in the order written, so a test reads the
 * sequence from a listing; the numbering goes on after the highest
 * number already there, so a restarted daemon never overwrites the files
 * of the run before; each written under a temporary name and renamed, so
 * a reader never sees half a file.
 */
#ifndef QRGATE_HAL_FILEDIR_H
#define QRGATE_HAL_FILEDIR_H

struct filedir {
	char dir[4096];
	char ext[8];		/* "png", "wav" */
	unsigned long next;	/* the number of the next file */
	char path[4200];	/* filedir_name(): the next file's name */
	char tmp[4210];		/* ... and the name to write it under */
};

/*
 * Opens path, a directory this process may write in, for files ending
 * in .ext.  who names the caller in the log ("screen file") and key the
 * setting that gave path ("screen.directory").  0, or -1 (logged, errno
 * set).
 */
int filedir_open(struct filedir *d, const char *path, const char *ext,
    const char *who, const char *key);

/* Names the next file, after what it holds ("granted"), in d->path and
 * d->tmp; the caller writes d->tmp. */
void filedir_name(struct filedir *d, const char *what);

/* The file written: d->tmp renamed to d->path, its number taken.  0, or
 * -1 (logged; the temporary file removed). */
int filedir_commit(struct filedir *d, const char *who);

#endif
