package org.signalbox.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The grid uses the space it has: a four-person video call (fake cameras at {@link
 * CallPage#SMALL_VIDEO}) seen in a 1280x800 desktop window is two columns by two rows that fill
 * the window, and on a 390x844 phone one column. Screenshots of both, light and dark, go to
 * target/screenshots/ (docs/screenshots.md says how they reach docs/images/). The viewports are
 * set exactly through DevTools (see {@link WidgetPage#viewport}), the phone's as a mobile one.
 */
class BrowserLayoutIT {

  private static final System.Logger LOG = System.getLogger(BrowserLayoutIT.class.getName());

  @RegisterExtension
  static final RunningServer server = RunningServer.shared();

  private static final Path SHOTS = RunCommandServer.projectDir().resolve("target/screenshots");

  /** Positions closer than this (CSS px) are the same column or row. */
  private static final int SAME = 4;

  /**
   * "Fills the window", measured: the four tiles together cover at least this share of the
   * viewport's area (a 3+1 arrangement of 4:3 tiles beside the chat covers about a quarter).
   */
  private static final double DESKTOP_MIN_AREA_SHARE = 0.35;

  /**
   * ... and the 2x2 block is as large as the grid lets it be: as wide as the grid, or as tall
   * as the space from the grid's top to the window's bottom, within this share.
   */
  private static final double FILL = 0.9;

  /** On the phone each tile takes at least this share of the viewport's width. */
  private static final double PHONE_MIN_WIDTH_SHARE = 0.8;

  @Test
  void twoByTwoOnTheDesktopOneColumnOnThePhone() {
    String room = "layout-room";
    String base = server.origin();
    try (WidgetPage desktop = WidgetPage.start("Desktop");
        WidgetPage phone = WidgetPage.start("Phone")) {
      desktop.viewport(1280, 800, false);
      phone.viewport(390, 844, true);
      desktop.openLink(base, room, "Desk", "video", "");
      desktop.joinByClick(room);
      phone.openLink(base, room, "Phone", "video", "");
      phone.joinByClick(room);
      try (CallPage carol = CallPage.joinWithSmallVideo(base, room, "Carol");
          CallPage dave = CallPage.joinWithSmallVideo(base, room, "Dave")) {
        desktop.awaitTilesPlaying(4);
        phone.awaitTilesPlaying(4);

        for (boolean dark : List.of(false, true)) {
          String theme = dark ? "dark" : "light";
          desktop.useDarkTheme(dark);
          phone.useDarkTheme(dark);
          assertTwoByTwoFillingTheWindow(stableGeometry(desktop), theme);
          assertOneColumn(stableGeometry(phone), theme);
          desktop.screenshot(SHOTS.resolve("call-desktop-" + theme + ".png"));
          phone.screenshot(SHOTS.resolve("call-phone-" + theme + ".png"));
        }
      }
    }
  }

  /** The tiles' geometry once two readings in a row agree (a resize or transition has ended). */
  private static Map<String, Object> stableGeometry(WidgetPage page) {
    Object[] last = {null};
    return page.browser().await(page.label() + ": the tiles stop moving", WidgetPage.WAIT, () -> {
      Map<String, Object> now = page.geometry();
      boolean same = now.equals(last[0]);
      last[0] = now;
      return same ? now : null;
    });
  }

  @SuppressWarnings("unchecked")
  private static List<Map<String, Long>> tiles(Map<String, Object> geometry) {
    return (List<Map<String, Long>>) geometry.get("tiles");
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Long> box(Map<String, Object> geometry, String key) {
    return (Map<String, Long>) geometry.get(key);
  }

  private static void assertTwoByTwoFillingTheWindow(Map<String, Object> geometry, String theme) {
    LOG.log(System.Logger.Level.INFO, "desktop, {0}: {1}", theme, geometry);
    List<Map<String, Long>> tiles = tiles(geometry);
    Map<String, Long> viewport = box(geometry, "viewport");
    Map<String, Long> grid = box(geometry, "grid");
    assertEquals(Map.of("w", 1280L, "h", 800L), viewport, "the desktop's viewport");
    assertEquals(4, tiles.size(), "tiles: " + geometry);
    assertEquals(2, distinct(tiles, "x"), "not two columns: " + geometry);
    assertEquals(2, distinct(tiles, "y"), "not two rows: " + geometry);
    for (Map<String, Long> t : tiles) {
      assertTrue(t.get("x") >= 0 && t.get("y") >= 0 && t.get("x") + t.get("w") <= viewport.get("w")
          && t.get("y") + t.get("h") <= viewport.get("h"), "a tile is not fully in the window: " + geometry);
    }
    double area = tiles.stream().mapToDouble(t -> (double) t.get("w") * t.get("h")).sum();
    double share = area / ((double) viewport.get("w") * viewport.get("h"));
    long left = tiles.stream().mapToLong(t -> t.get("x")).min().orElseThrow();
    long right = tiles.stream().mapToLong(t -> t.get("x") + t.get("w")).max().orElseThrow();
    long top = tiles.stream().mapToLong(t -> t.get("y")).min().orElseThrow();
    long bottom = tiles.stream().mapToLong(t -> t.get("y") + t.get("h")).max().orElseThrow();
    double widthUsed = (double) (right - left) / grid.get("w");
    double heightUsed = (double) (bottom - top) / (viewport.get("h") - grid.get("y"));
    LOG.log(System.Logger.Level.INFO,
        "desktop, {0}: tiles cover {1} of the window; the block spans {2} of the grid''s width, {3} of the height below its top",
        theme, share, widthUsed, heightUsed);
    assertTrue(share >= DESKTOP_MIN_AREA_SHARE, "the tiles cover only " + share + " of the window: " + geometry);
    assertTrue(widthUsed >= FILL || heightUsed >= FILL, "the 2x2 block uses " + widthUsed
        + " of the grid's width and " + heightUsed + " of the height below it: " + geometry);
  }

  private static void assertOneColumn(Map<String, Object> geometry, String theme) {
    LOG.log(System.Logger.Level.INFO, "phone, {0}: {1}", theme, geometry);
    List<Map<String, Long>> tiles = tiles(geometry);
    long width = box(geometry, "viewport").get("w");
    assertEquals(Map.of("w", 390L, "h", 844L), box(geometry, "viewport"), "the phone's viewport");
    assertEquals(4, tiles.size(), "tiles: " + geometry);
    assertEquals(1, distinct(tiles, "x"), "not one column: " + geometry);
    List<Long> ys = tiles.stream().map(t -> t.get("y")).toList();
    for (int i = 1; i < ys.size(); i++) {
      assertTrue(ys.get(i) >= ys.get(i - 1) + tiles.get(i - 1).get("h"),
          "tiles overlap or are out of order: " + geometry);
    }
    for (Map<String, Long> t : tiles) {
      assertTrue(t.get("w") >= PHONE_MIN_WIDTH_SHARE * width, "a tile narrower than the phone: " + geometry);
    }
  }

  /** How many distinct values {@code key} takes, values within {@link #SAME} counted as one. */
  private static int distinct(List<Map<String, Long>> tiles, String key) {
    TreeSet<Long> values = new TreeSet<>();
    for (Map<String, Long> t : tiles) {
      long v = t.get(key);
      Long near = values.floor(v + SAME);
      if (near == null || near < v - SAME) {
        values.add(v);
      }
    }
    return values.size();
  }
}
