package dev.kyoto.cli;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What a Markdown document gives a reader to type: its {@code java} blocks that are whole
 * compilation units, each with the file the text around it says it goes in, and the command
 * lines of its {@code sh} blocks.
 *
 * <p>A block that starts with {@code package } or {@code module } is a whole file. Its path is
 * the last {@code `….java`} named in the text before it whose file name fits (the class's name,
 * or {@code module-info.java}), else the first such in the text after it, else derived:
 * {@code P/src/p/q/C.java} for class {@code C} of package {@code p.q} (P its first part), or
 * {@code M/src/module-info.java} for module {@code M}.
 */
record DocumentedSources(String document, List<Source> sources, List<String> commands) {
    private static final Pattern NAMED_PATH = Pattern.compile("`([\\w./-]+\\.java)`");
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);");
    private static final Pattern TYPE = Pattern.compile("(?m)^(?:public )?(?:final )?(?:class|interface|record|enum) (\\w+)");
    private static final Pattern MODULE = Pattern.compile("^module ([\\w.]+)");

    /** A whole file the document shows, and where it says it goes. */
    record Source(String path, String text) {
        /** A test class: compiled and run by the build's own copy, not from the document. */
        boolean isTest() {
            return path.contains("src/test/java/");
        }
    }

    /** A fenced block, with the prose before it (since the previous block) and after it (to the next). */
    private record Block(String language, String text, String before, String after) {
    }

    static DocumentedSources parse(String document, String markdown) {
        List<Block> blocks = blocks(markdown);
        List<Source> sources = new ArrayList<>();
        List<String> commands = new ArrayList<>();
        for (Block b : blocks) {
            if (b.language().equals("java")) {
                sources.add(new Source(pathOf(document, b), b.text()));
            } else if (b.language().equals("sh")) {
                commands.addAll(logicalLines(b.text()));
            }
        }
        return new DocumentedSources(document, List.copyOf(sources), List.copyOf(commands));
    }

    /** The command lines that start with {@code start}, for example {@code "javac "}, in order. */
    List<String> commandsStartingWith(String start) {
        return commands.stream().filter(c -> c.startsWith(start)).toList();
    }

    private static String pathOf(String document, Block b) {
        String text = b.text();
        String fileName;
        String derived;
        Matcher pkg = PACKAGE.matcher(text);
        Matcher module = MODULE.matcher(text);
        if (pkg.find()) {
            Matcher type = TYPE.matcher(text);
            if (!type.find()) {
                throw new AssertionError(document + ": a java block declares package " + pkg.group(1) + " but no class:\n" + text);
            }
            fileName = type.group(1) + ".java";
            derived = pkg.group(1).split("\\.")[0] + "/src/" + pkg.group(1).replace('.', '/') + "/" + fileName;
        } else if (module.find()) {
            fileName = "module-info.java";
            derived = module.group(1) + "/src/" + fileName;
        } else {
            throw new AssertionError(document + ": every java block must be a whole file, starting with its package"
                    + " (or module) line, so that a reader can compile it as it stands; this one is not:\n" + text);
        }
        String named = null;
        Matcher before = NAMED_PATH.matcher(b.before());
        while (before.find()) {
            if (fits(before.group(1), fileName)) {
                named = before.group(1);
            }
        }
        if (named == null) {
            Matcher after = NAMED_PATH.matcher(b.after());
            while (named == null && after.find()) {
                if (fits(after.group(1), fileName)) {
                    named = after.group(1);
                }
            }
        }
        return named != null ? named : derived;
    }

    private static boolean fits(String path, String fileName) {
        return path.equals(fileName) || path.endsWith("/" + fileName);
    }

    /** A shell block's lines, with backslash continuations joined and comments dropped. */
    private static List<String> logicalLines(String sh) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String l : sh.split("\n")) {
            if (l.endsWith("\\")) {
                line.append(l, 0, l.length() - 1).append(' ');
                continue;
            }
            line.append(l);
            String command = line.toString().replaceAll("\\s+", " ").replaceFirst(" +#.*$", "").strip();
            if (!command.isEmpty() && !command.startsWith("#")) {
                lines.add(command);
            }
            line.setLength(0);
        }
        return lines;
    }

    private static List<Block> blocks(String markdown) {
        record Raw(String language, String text, int start, int end) {
        }
        List<Raw> raw = new ArrayList<>();
        String[] lines = markdown.split("\n", -1);
        String language = null;
        StringBuilder text = null;
        int start = 0;
        for (int i = 0; i < lines.length; i++) {
            String line = lines[i];
            if (text == null && line.startsWith("```")) {
                language = line.substring(3).strip();
                text = new StringBuilder();
                start = i;
            } else if (text != null && line.equals("```")) {
                raw.add(new Raw(language, text.toString(), start, i));
                text = null;
            } else if (text != null) {
                text.append(line).append('\n');
            }
        }
        List<Block> blocks = new ArrayList<>();
        for (int k = 0; k < raw.size(); k++) {
            int from = k == 0 ? 0 : raw.get(k - 1).end() + 1;
            int to = k + 1 < raw.size() ? raw.get(k + 1).start() : lines.length;
            blocks.add(new Block(raw.get(k).language(), raw.get(k).text(),
                    String.join("\n", List.of(lines).subList(from, raw.get(k).start())),
                    String.join("\n", List.of(lines).subList(raw.get(k).end() + 1, to))));
        }
        return blocks;
    }
}
