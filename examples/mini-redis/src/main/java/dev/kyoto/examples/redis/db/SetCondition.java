package dev.kyoto.examples.redis.db;

/** When {@code SET} stores its value: {@code SET}'s NX and XX options. */
public enum SetCondition {
    /** Always (no option). */
    ALWAYS,
    /** Only if the key does not exist (NX). */
    IF_ABSENT,
    /** Only if the key exists (XX). */
    IF_PRESENT
}
