package dev.kyoto.test;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed OSGi manifest header in the common header syntax (OSGi Core, "Common Header Syntax"):
 * clauses separated by top-level commas, each a list of paths followed by attributes
 * ({@code name=value}, or typed {@code name:List<String>=value}) and directives
 * ({@code name:=value}). Values may be quoted, and quoted values may contain commas, semicolons
 * and equals signs (LDAP filters do), so splitting the raw text on commas would misread them.
 *
 * <p>The parser is strict: text that does not follow the syntax is an error, so a malformed
 * header fails the test that reads it instead of being half understood.
 */
record OsgiHeader(List<Clause> clauses) {

    /**
     * One clause of a header.
     *
     * @param paths the clause's paths (package names, namespaces), at least one
     * @param attributes attribute values by name, with any type suffix removed from the name
     * @param directives directive values by name
     */
    record Clause(List<String> paths, Map<String, String> attributes, Map<String, String> directives) {
    }

    static OsgiHeader parse(String header) {
        List<Clause> clauses = new ArrayList<>();
        for (String clause : split(header, ',')) {
            clauses.add(parseClause(clause));
        }
        return new OsgiHeader(List.copyOf(clauses));
    }

    /** Every path of every clause, in order; a path may repeat (SLF4J exports one package at two versions). */
    List<String> paths() {
        return clauses.stream().flatMap(c -> c.paths().stream()).toList();
    }

    /** The clauses that name {@code path}. */
    List<Clause> clausesFor(String path) {
        return clauses.stream().filter(c -> c.paths().contains(path)).toList();
    }

    private static Clause parseClause(String clause) {
        List<String> paths = new ArrayList<>();
        Map<String, String> attributes = new LinkedHashMap<>();
        Map<String, String> directives = new LinkedHashMap<>();
        for (String part : split(clause, ';')) {
            int eq = part.indexOf('=');
            if (eq < 0) {
                if (!attributes.isEmpty() || !directives.isEmpty()) {
                    throw new IllegalArgumentException("path '" + part + "' after a parameter in clause: " + clause);
                }
                paths.add(token(part, clause));
                continue;
            }
            String value = value(part.substring(eq + 1), clause);
            if (eq > 0 && part.charAt(eq - 1) == ':') {
                put(directives, token(part.substring(0, eq - 1), clause), value, clause);
            } else {
                String name = part.substring(0, eq);
                int typed = name.indexOf(':');
                put(attributes, token(typed < 0 ? name : name.substring(0, typed), clause), value, clause);
            }
        }
        if (paths.isEmpty()) {
            throw new IllegalArgumentException("clause without a path: " + clause);
        }
        return new Clause(List.copyOf(paths), Map.copyOf(attributes), Map.copyOf(directives));
    }

    private static void put(Map<String, String> into, String name, String value, String clause) {
        if (into.put(name, value) != null) {
            throw new IllegalArgumentException("'" + name + "' given twice in clause: " + clause);
        }
    }

    private static String token(String raw, String clause) {
        String t = raw.strip();
        if (t.isEmpty() || t.indexOf('"') >= 0 || t.chars().anyMatch(Character::isWhitespace)) {
            throw new IllegalArgumentException("bad name '" + raw + "' in clause: " + clause);
        }
        return t;
    }

    private static String value(String raw, String clause) {
        String v = raw.strip();
        if (!v.startsWith("\"")) {
            return token(v, clause);
        }
        StringBuilder out = new StringBuilder();
        for (int i = 1; i < v.length(); i++) {
            char c = v.charAt(i);
            if (c == '\\' && i + 1 < v.length()) {
                out.append(v.charAt(++i));
            } else if (c == '"') {
                if (i != v.length() - 1) {
                    throw new IllegalArgumentException("text after a quoted value in clause: " + clause);
                }
                return out.toString();
            } else {
                out.append(c);
            }
        }
        throw new IllegalArgumentException("unterminated quoted value in clause: " + clause);
    }

    /** Splits on {@code separator} where it is outside quotes. */
    private static List<String> split(String text, char separator) {
        List<String> parts = new ArrayList<>();
        StringBuilder current = new StringBuilder();
        boolean quoted = false;
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (quoted && c == '\\' && i + 1 < text.length()) {
                current.append(c).append(text.charAt(++i));
                continue;
            }
            if (c == '"') {
                quoted = !quoted;
            }
            if (c == separator && !quoted) {
                parts.add(current.toString());
                current.setLength(0);
            } else {
                current.append(c);
            }
        }
        if (quoted) {
            throw new IllegalArgumentException("unterminated quoted value in header: " + text);
        }
        parts.add(current.toString());
        return parts;
    }
}
