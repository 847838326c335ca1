package org.signalbox.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * The OpenAPI document the API serves parses, is 3.1, lists exactly PORTAL.md's table, and the
 * error codes it documents are those the code answers with; and web.xml maps the servlet as its
 * Javadoc says.
 */
class AdminOpenApiTest {

  private static final Set<String> TABLE = Set.of(
      "GET /admin/rooms", "GET /admin/rooms/{room}", "DELETE /admin/rooms/{room}/peers/{peerId}",
      "DELETE /admin/rooms/{room}", "POST /admin/rooms/{room}/messages", "GET /admin/openapi.json");

  private static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "options",
      "head", "patch", "trace");

  private final JsonObject doc = Json.createReader(new StringReader(AdminServlet.openApi())).readObject();

  @Test
  void itIsOpenApi31AndListsEveryRowOfTheTable() {
    assertTrue(doc.getString("openapi").startsWith("3.1."), doc.getString("openapi"));
    Set<String> operations = new TreeSet<>();
    for (var path : doc.getJsonObject("paths").entrySet()) {
      for (String key : path.getValue().asJsonObject().keySet()) {
        if (METHODS.contains(key)) {
          operations.add(key.toUpperCase() + " " + path.getKey());
        }
      }
    }
    assertEquals(new TreeSet<>(TABLE), operations);
  }

  @Test
  void everyReferenceResolves() {
    Set<String> refs = new TreeSet<>();
    collectRefs(doc, refs);
    assertTrue(refs.size() > 5, refs.toString());
    for (String ref : refs) {
      JsonValue target = doc;
      for (String part : ref.substring(2).split("/")) {
        target = target.asJsonObject().get(part);
        assertTrue(target != null, "unresolved " + ref);
      }
    }
  }

  private static void collectRefs(JsonValue value, Set<String> refs) {
    if (value instanceof JsonObject object) {
      object.forEach((k, v) -> {
        if (k.equals("$ref")) {
          refs.add(((JsonString) v).getString());
        } else {
          collectRefs(v, refs);
        }
      });
    } else if (value.getValueType() == JsonValue.ValueType.ARRAY) {
      value.asJsonArray().forEach(v -> collectRefs(v, refs));
    }
  }

  @Test
  void theDocumentedErrorCodesAreThoseTheCodeUses() throws Exception {
    Set<String> documented = doc.getJsonObject("components").getJsonObject("schemas")
        .getJsonObject("Error").getJsonObject("properties").getJsonObject("error")
        .getJsonArray("enum").getValuesAs(JsonString.class).stream()
        .map(JsonString::getString).collect(Collectors.toCollection(TreeSet::new));
    Set<String> used = new TreeSet<>();
    java.util.regex.Pattern code = java.util.regex.Pattern.compile(
        "(?:AdminFailure\\.of|AdminAnswer\\.error)\\([^,]+,\\s*\"([a-z-]+)\"");
    try (var sources = Files.list(Path.of("src/main/java/org/signalbox/web"))) {
      for (Path source : sources.filter(p -> p.getFileName().toString().startsWith("Admin")).toList()) {
        var m = code.matcher(Files.readString(source));
        while (m.find()) {
          used.add(m.group(1));
        }
      }
    }
    assertEquals(documented, used);
  }

  /**
   * The WAR's web.xml and the portal jar's web fragment declare the role and the listener that
   * registers the servlet (Mount.admin(), MountTest), and no constraint or login-config: a portal
   * brings its own (see AdminServlet).
   */
  @Test
  void theDescriptorsDeclareTheRoleButNoConstraint() throws Exception {
    for (String descriptor :
        List.of("src/main/webapp/WEB-INF/web.xml", "src/main/fragment/META-INF/web-fragment.xml")) {
      String elements = Files.readString(Path.of(descriptor)).replaceAll("(?s)<!--.*?-->", "");
      assertTrue(elements.contains("<role-name>signalbox-admin</role-name>"), descriptor);
      assertTrue(elements.contains("<listener-class>org.signalbox.web.SignalboxLifecycle</listener-class>"),
          descriptor);
      assertTrue(!elements.contains("<login-config>") && !elements.contains("<security-constraint>"),
          descriptor + " brings no login-config or constraint of its own");
    }
  }
}
