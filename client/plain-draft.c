/* plain-draft.c: placeholder, filled below */
