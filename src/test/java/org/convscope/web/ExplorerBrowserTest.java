package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import javax.imageio.ImageIO;
import org.convscope.render.ImageOps;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer in a real browser: Debian's chromium, headless, driven through /usr/bin/chromedriver (never a
 * downloaded one). Clicks from the model to a layer to a unit, uploads an image and waits for its explanations,
 * hovers and clicks the t-SNE map, and checks in screenshots that the images are drawn. Skipped, with a message,
 * where chromedriver is not installed; .ci/run installs it.
 */
class ExplorerBrowserTest {
  static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
  static final Path CHROMIUM = Path.of("/usr/bin/chromium");

  private static ExplorerFixture server;
  private static ChromeDriver browser;
  private static Path profile;
  @TempDir static Path uploads;

  @BeforeAll
  static void start() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(CHROMEDRIVER) && Files.isExecutable(CHROMIUM),
        "browser tests skipped: install Debian's chromium and chromium-driver (/usr/bin/chromedriver) to run them");
    // Selenium Manager must not look for (or download) a driver or a browser: both are given.
    System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
    server = new ExplorerFixture();
    profile = Files.createTempDirectory("convscope-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000", "--force-device-scale-factor=1",
        "--user-data-dir=" + profile);
    ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    browser = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    if (browser != null) browser.quit();
    if (server != null) server.close();
    if (profile != null) {
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static WebDriverWait waiting(int seconds) {
    return new WebDriverWait(browser, Duration.ofSeconds(seconds));
  }

  private static void open(String path) {
    browser.get(server.base() + path);
  }

  @Test
  void clicksFromTheModelToALayerToAUnit() throws Exception {
    open("/model");
    assertEquals("Model · ConvScope", browser.getTitle());
    assertEquals(20, browser.findElements(By.cssSelector("#layers tbody tr")).size());
    assertRendered(browser.findElement(By.cssSelector("svg.graph")), 150, 300);
    // The graph's box of stage2.relu1 is a link to its layer.
    browser.findElement(By.cssSelector("svg.graph a[data-layer='stage2.relu1'] rect")).click();
    waiting(30).until(d -> d.getCurrentUrl().endsWith("/layer/stage2.relu1"));
    assertEquals("Layer stage2.relu1", browser.findElement(By.tagName("h1")).getText());
    assertImageLoaded(browser.findElement(By.cssSelector("img.activations")));
    // The firing-rate pass runs in the background; the page follows it and reloads with the ranking.
    WebElement firstUnit = waiting(300).until(d -> {
      List<WebElement> links = d.findElements(By.cssSelector("#units tbody tr a"));
      return links.isEmpty() ? null : links.get(0);
    });
    assertEquals(64, browser.findElements(By.cssSelector("#units tbody tr")).size());
    String unit = firstUnit.getText().substring(1);
    firstUnit.click();
    waiting(30).until(d -> d.getCurrentUrl().endsWith("/layer/stage2.relu1/unit/" + unit));
    for (String cls : new String[] {"patches", "masks", "visualization"}) {
      WebElement img = waiting(300).until(d -> {
        List<WebElement> found = d.findElements(By.cssSelector("img." + cls));
        return found.isEmpty() ? null : found.get(0);
      });
      assertImageLoaded(img);
      assertRendered(img, 20, 20);
    }
    browser.findElement(By.linkText("stage2.conv2 #" + unit + " →")).click();
    waiting(30).until(d -> d.getCurrentUrl().endsWith("/layer/stage2.conv2/unit/" + unit));
  }

  @Test
  void uploadsAnImageAndShowsEveryExplanationWithAnOpacitySlider() throws Exception {
    BufferedImage picture = ImageOps.upscale(ImageOps.fromTensor(server.data.batch(new int[] {3}).images().reshape(1, 28, 28)), 2);
    File png = uploads.resolve("upload.png").toFile();
    ImageIO.write(picture, "png", png);
    open("/image");
    browser.findElement(By.cssSelector("input[type=file]")).sendKeys(png.getAbsolutePath());
    browser.findElement(By.id("upload")).click();
    waiting(30).until(d -> d.getCurrentUrl().matches(".*/image/upload/[0-9a-f]{64}"));
    assertEquals(5, browser.findElements(By.cssSelector("#predictions tbody tr")).size());
    assertImageLoaded(browser.findElement(By.cssSelector("img.input")));
    List<WebElement> methods = browser.findElements(By.cssSelector("figure.method"));
    assertEquals(14, methods.size());
    waiting(600).until(d -> d.findElements(By.cssSelector("figure.method.done")).size() + d.findElements(By.cssSelector("figure.method.failed")).size() == 14);
    assertEquals(14, browser.findElements(By.cssSelector("figure.method.done")).size(), "every method explained the upload");
    for (WebElement card : methods) {
      WebElement heat = card.findElement(By.cssSelector("img.heat"));
      assertImageLoaded(heat);
      assertEquals(224L, ((Number) script("return arguments[0].naturalWidth", heat)).longValue());
      assertTrue(card.findElement(By.className("scores")).getText().matches("deletion AUC [0-9.]+, insertion AUC [0-9.]+, .*"));
      assertFalse(card.findElement(By.className("cancel")).isDisplayed(), "a finished card has nothing to cancel");
    }
    WebElement card = methods.get(0);
    BufferedImage opaque = shot(card.findElement(By.className("stack")));
    script("const s = document.getElementById('opacity'); s.value = 0; s.dispatchEvent(new Event('input'));");
    assertEquals("0", card.findElement(By.cssSelector("img.heat")).getCssValue("opacity"));
    BufferedImage clear = shot(card.findElement(By.className("stack")));
    assertEquals(224, clear.getWidth());
    assertEquals(224, clear.getHeight());
    assertTrue(ExplorerServerTest.nonBlank(opaque) && ExplorerServerTest.nonBlank(clear));
    assertFalse(same(opaque, clear), "the slider changes what is drawn");
  }

  @Test
  void theTsneMapShowsThumbnailsOnHoverAndNeighboursOnClick() throws Exception {
    open("/embedding");
    List<WebElement> points = waiting(600).until(d -> {
      List<WebElement> found = d.findElements(By.cssSelector("#tsne circle.point"));
      return found.size() == 300 ? found : null;
    });
    WebElement svg = browser.findElement(By.cssSelector("svg.scatter"));
    assertRendered(svg, 600, 500);
    WebElement point = points.get(17);
    new Actions(browser).moveToElement(point).perform();
    WebElement tip = browser.findElement(By.className("tip"));
    waiting(10).until(d -> tip.isDisplayed());
    WebElement thumb = tip.findElement(By.tagName("img"));
    assertEquals(server.base() + "/thumb/17.png", thumb.getAttribute("src"));
    waiting(10).until(d -> ((Number) script("return arguments[0].naturalWidth", thumb)).intValue() > 0);
    assertEquals(56L, ((Number) script("return arguments[0].naturalWidth", thumb)).longValue(), "28 pixels enlarged twice");
    assertTrue(tip.getText().startsWith("#17 " + server.explorer.workspace().model().className(server.data.label(17))));

    point.click();
    waiting(10).until(d -> d.findElements(By.cssSelector("#neighbours .features img")).size() == 8);
    assertEquals(8, browser.findElements(By.cssSelector("#neighbours .pixels img")).size());
    for (WebElement img : browser.findElements(By.cssSelector("#neighbours img"))) {
      waiting(10).until(d -> ((Number) script("return arguments[0].complete && arguments[0].naturalWidth", img)).intValue() > 0);
    }

    // The legend hides a class; dragging a box zooms in; a double click zooms out.
    int label = server.data.label(17);
    browser.findElement(By.cssSelector(".legend-item[data-label='" + label + "']")).click();
    assertFalse(point.isDisplayed(), "its class is hidden");
    browser.findElement(By.cssSelector(".legend-item[data-label='" + label + "']")).click();
    long visible = visiblePoints();
    assertEquals(300, visible);
    new Actions(browser).moveToElement(svg, -300, -240).clickAndHold().moveByOffset(200, 160).release().perform();
    long zoomed = visiblePoints();
    assertTrue(zoomed < 300, "zoomed to a box: " + zoomed + " points visible");
    new Actions(browser).doubleClick(svg).perform();
    assertEquals(300, visiblePoints());
    assertTrue(browser.findElements(By.cssSelector("#overlap tbody tr")).size() == 10);
  }

  private static long visiblePoints() {
    return ((Number) script("return Array.from(document.querySelectorAll('#tsne circle')).filter(c => c.style.display !== 'none').length"))
        .longValue();
  }

  @Test
  void everyPageRendersItsImages() throws Exception {
    for (String path : new String[] {"/model", "/layer/stage1.conv1", "/image/5", "/image", "/layer/fc", "/nowhere"}) {
      open(path);
      waiting(30).until(d -> script("return document.readyState").equals("complete"));
      for (WebElement img : browser.findElements(By.cssSelector("main img:not(.heat)"))) {
        waiting(30).until(d -> ((Number) script("return arguments[0].complete ? arguments[0].naturalWidth : 0", img)).intValue() > 0);
        assertImageLoaded(img);
      }
      BufferedImage page = ImageIO.read(new ByteArrayInputStream(browser.getScreenshotAs(OutputType.BYTES)));
      assertTrue(ExplorerServerTest.nonBlank(page), path);
    }
    open("/layer/stage1.conv1");
    WebElement filters = browser.findElement(By.cssSelector("img.filters"));
    long natural = ((Number) script("return arguments[0].naturalWidth", filters)).longValue();
    BufferedImage drawn = shot(filters);
    assertEquals(natural, drawn.getWidth(), "drawn at its own size");
    assertTrue(ExplorerServerTest.nonBlank(drawn));
    open("/nowhere");
    assertTrue(browser.findElement(By.className("error")).getText().contains("no page at /nowhere"));
  }

  private static Object script(String code, Object... args) {
    return ((JavascriptExecutor) browser).executeScript(code, args);
  }

  /** The element has loaded an image with pixels: complete, with a natural width. */
  private static void assertImageLoaded(WebElement img) {
    waiting(60).until(d -> ((Number) script("return arguments[0].complete ? arguments[0].naturalWidth : 0", img)).intValue() > 0);
    assertNotEquals(0L, ((Number) script("return arguments[0].naturalHeight", img)).longValue());
  }

  /** The element's screenshot is at least this large and not one flat colour. */
  private static void assertRendered(WebElement element, int minWidth, int minHeight) throws Exception {
    BufferedImage picture = shot(element);
    assertTrue(picture.getWidth() >= minWidth && picture.getHeight() >= minHeight, picture.getWidth() + "x" + picture.getHeight());
    assertTrue(ExplorerServerTest.nonBlank(picture), "drawn, not blank");
  }

  private static BufferedImage shot(WebElement element) throws Exception {
    script("arguments[0].scrollIntoView({block: 'center'})", element);
    return ImageIO.read(new ByteArrayInputStream(element.getScreenshotAs(OutputType.BYTES)));
  }

  private static boolean same(BufferedImage a, BufferedImage b) {
    if (a.getWidth() != b.getWidth() || a.getHeight() != b.getHeight()) return false;
    for (int y = 0; y < a.getHeight(); y++) for (int x = 0; x < a.getWidth(); x++) if (a.getRGB(x, y) != b.getRGB(x, y)) return false;
    return true;
  }
}
