package dev.kyoto.test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The header parser that the descriptor tests trust, tried on the shapes real manifests take. */
class OsgiHeaderTest {

    @Test
    void quotedValuesMayHoldCommasSemicolonsAndEquals() {
        OsgiHeader h = OsgiHeader.parse("a.b;version=\"[1.0,2)\";uses:=\"x.y,x.z\","
                + "osgi.extender;filter:=\"(&(osgi.extender=p)(version>=1.0.0))\";resolution:=optional");
        assertEquals(List.of("a.b", "osgi.extender"), h.paths());
        assertEquals(Map.of("version", "[1.0,2)"), h.clauses().get(0).attributes());
        assertEquals(Map.of("uses", "x.y,x.z"), h.clauses().get(0).directives());
        assertEquals(Map.of("filter", "(&(osgi.extender=p)(version>=1.0.0))", "resolution", "optional"),
                h.clauses().get(1).directives());
    }

    @Test
    void typedAttributesLoseTheirTypeAndDirectivesStaySeparate() {
        OsgiHeader.Clause c = OsgiHeader.parse(
                "osgi.service;objectClass:List<String>=\"a.B\";effective:=active").clauses().get(0);
        assertEquals(Map.of("objectClass", "a.B"), c.attributes());
        assertEquals(Map.of("effective", "active"), c.directives());
    }

    @Test
    void aClauseMayNameSeveralPathsAndAPackageMayRepeat() {
        OsgiHeader h = OsgiHeader.parse("p.one;p.two;version=1,p.one;version=\"0.9\"");
        assertEquals(List.of("p.one", "p.two", "p.one"), h.paths());
        assertEquals(2, h.clausesFor("p.one").size());
    }

    @Test
    void escapedQuotesStayInsideTheValue() {
        OsgiHeader h = OsgiHeader.parse("p;note=\"say \\\"hi, there\\\"\"");
        assertEquals("say \"hi, there\"", h.clauses().get(0).attributes().get("note"));
    }

    @Test
    void malformedHeadersAreRejected() {
        assertThrows(IllegalArgumentException.class, () -> OsgiHeader.parse("p;version=\"1.0"));
        assertThrows(IllegalArgumentException.class, () -> OsgiHeader.parse("p;version=1;q"));
        assertThrows(IllegalArgumentException.class, () -> OsgiHeader.parse("version=1"));
        assertThrows(IllegalArgumentException.class, () -> OsgiHeader.parse("p;a=1;a=2"));
        assertThrows(IllegalArgumentException.class, () -> OsgiHeader.parse("p,,q"));
    }
}
