package io.streamrec.train;

/** The two embedding tables. */
public enum Table { USERS, ITEMS }
