#ifndef CLIBICAL_SHIM_H
#define CLIBICAL_SHIM_H

#include <libical/ical.h>
#include <stdlib.h>

/* icalerrno is a macro over a pointer-returning function; Swift cannot see macros of that kind. */
static inline icalerrorenum clibical_errno(void) { return icalerrno; }

static inline void clibical_clear_errno(void) { icalerror_clear_errno(); }

#endif
