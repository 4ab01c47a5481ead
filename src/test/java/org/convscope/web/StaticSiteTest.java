package org.convscope.web;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The explorer written as a static site: every page and file it links exists, the images are drawn, nothing
 * asks a server, and a browser opening index.html from disk clicks from the model to a layer to a unit and
 * hovers the t-SNE map.
 */
class StaticSiteTest {
  private static final Pattern LINK = Pattern.compile("(?:href|src)=\"([^\"]*)\"");
  private static final Pattern IMG = Pattern.compile("<img (?:class=\"([^\"]*)\" )?src=\"([^\"]*)\"");
  /** The first 300 demo images: every pass over the dataset (one or two per layer) stays short. */
  private static final int IMAGES = 300;
  private static final int POINTS = 100;
  private static Path dir;
  private static Explorer explorer;
  private static Path site;
  private static Path index;

  @BeforeAll
  static void write() throws Exception {
    dir = Files.createTempDirectory("convscope-static-site-test");
    Path model = org.convscope.report.Demo.extractModel(dir.resolve("model"));
    org.convscope.data.Dataset all = org.convscope.report.Demo.data();
    int[] first = java.util.stream.IntStream.range(0, IMAGES).toArray();
    org.convscope.data.Dataset data = new org.convscope.data.InMemoryDataset("the first 300 demo images", all.batch(first).images(),
        java.util.Arrays.stream(first).map(all::label).toArray(), all.classNames());
    explorer = Explorer.start(model, data, ExplorerOptions.defaults(dir.resolve("cache")).withPort(0).withWork(4, 2, 16, POINTS));
    site = dir.resolve("site");
    index = StaticSite.write(explorer, site, new StaticSite.Options(1, 2), line -> {});
  }

  @AfterAll
  static void stop() throws Exception {
    if (explorer != null) explorer.close();
    try (var files = Files.walk(dir)) {
      files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    }
  }

  @Test
  void everyLinkResolvesToAFileAndEveryImageIsDrawn() throws Exception {
    assertEquals(site.resolve("index.html"), index);
    for (String page : new String[] {"model.html", "images.html", "image-0.html", "image-1.html", "embedding.html",
        "layer-stage2.relu1.html", "layer-fc.html"}) {
      assertTrue(Files.isRegularFile(site.resolve(page)), page);
    }
    List<Path> pages;
    try (Stream<Path> files = Files.list(site)) {
      pages = files.filter(p -> p.toString().endsWith(".html")).toList();
    }
    int units = 0;
    int images = 0;
    for (Path page : pages) {
      String html = Files.readString(page, StandardCharsets.UTF_8);
      if (page.getFileName().toString().contains("-unit-")) units++;
      assertFalse(html.contains("href=\"/") || html.contains("src=\"/") || html.contains("data-api") || html.contains("data-job"),
          page + " asks nothing of a server");
      assertFalse(html.contains("<form"), page + ": forms need the server");
      Matcher m = LINK.matcher(html);
      while (m.find()) {
        Path target = site.resolve(m.group(1));
        assertTrue(Files.isRegularFile(target), page.getFileName() + " links to " + m.group(1) + ", which is missing");
      }
      Matcher img = IMG.matcher(html);
      while (img.find()) {
        BufferedImage picture = ImageIO.read(site.resolve(img.group(2)).toFile());
        assertNotNull(picture, img.group(2));
        // An attribution map can be uniform (a method that finds nothing); every other picture shows something.
        if (!"heat".equals(img.group(1))) {
          assertTrue(ExplorerServerTest.nonBlank(picture), page.getFileName() + ": " + img.group(2) + " (" + img.group(1) + ") is blank");
        }
        images++;
      }
    }
    assertTrue(units >= 10, "one unit page per spatial layer: " + units);
    assertTrue(images > 100, "pictures linked: " + images);
    String image = Files.readString(site.resolve("image-0.html"));
    assertEquals(14, count(image, "<figure class=\"method done\">"), "every method's map is in the page");
    assertTrue(image.contains("needs <code>convscope serve</code>"));
    String embedding = Files.readString(site.resolve("embedding.html"));
    Matcher json = Pattern.compile("<script type=\"application/json\" id=\"tsne-data\">(.*?)</script>", Pattern.DOTALL).matcher(embedding);
    assertTrue(json.find());
    Map<?, ?> data = ExplorerClient.JSON.readValue(json.group(1), Map.class);
    assertEquals(POINTS, ((List<?>) data.get("points")).size());
    for (Object o : (List<?>) data.get("points")) {
      assertTrue(Files.isRegularFile(site.resolve("thumb/" + ((Map<?, ?>) o).get("i") + ".png")));
    }
  }

  @Test
  void aBrowserOpensItFromDiskAndClicksFromTheModelToALayerToAUnit() throws Exception {
    Assumptions.assumeTrue(Files.isExecutable(ExplorerBrowserTest.CHROMEDRIVER) && Files.isExecutable(ExplorerBrowserTest.CHROMIUM),
        "browser test skipped: install Debian's chromium and chromium-driver");
    System.setProperty("webdriver.chrome.driver", ExplorerBrowserTest.CHROMEDRIVER.toString());
    Path profile = Files.createTempDirectory("convscope-chromium");
    ChromeOptions options = new ChromeOptions();
    options.setBinary(ExplorerBrowserTest.CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run", "--window-size=1400,1000", "--user-data-dir=" + profile);
    ChromeDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(ExplorerBrowserTest.CHROMEDRIVER.toFile())
        .usingAnyFreePort().build(), options);
    try {
      // The explorer is stopped: whatever the pages show comes from the files.
      explorer.close();
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));
      browser.get(index.toUri().toString());
      assertEquals("Model · ConvScope", browser.getTitle());
      browser.findElement(By.cssSelector("#layers a[href='layer-stage2.relu1.html']")).click();
      wait.until(d -> d.getCurrentUrl().endsWith("/layer-stage2.relu1.html"));
      assertEquals("Layer stage2.relu1", browser.findElement(By.tagName("h1")).getText());
      loaded(browser, browser.findElement(By.cssSelector("img.activations")));
      assertEquals(64, browser.findElements(By.cssSelector("#units tbody tr")).size());
      WebElement unit = browser.findElement(By.cssSelector("#units tbody tr a"));
      String name = unit.getText().substring(1);
      unit.click();
      wait.until(d -> d.getCurrentUrl().endsWith("/layer-stage2.relu1-unit-" + name + ".html"));
      for (String cls : new String[] {"patches", "masks", "visualization"}) loaded(browser, browser.findElement(By.cssSelector("img." + cls)));

      browser.get(site.resolve("embedding.html").toUri().toString());
      List<WebElement> points = wait.until(d -> {
        List<WebElement> found = d.findElements(By.cssSelector("#tsne circle.point"));
        return found.size() == POINTS ? found : null;
      });
      new Actions(browser).moveToElement(points.get(17)).perform();
      WebElement thumb = wait.until(d -> d.findElement(By.cssSelector(".tip img")));
      assertTrue(thumb.getAttribute("src").endsWith("/thumb/17.png"), thumb.getAttribute("src"));
      loaded(browser, thumb);
      points.get(17).click();
      wait.until(d -> d.findElements(By.cssSelector("#neighbours .pixels img")).size() == 8);
      for (WebElement img : browser.findElements(By.cssSelector("#neighbours img"))) loaded(browser, img);

      browser.get(site.resolve("image-0.html").toUri().toString());
      List<WebElement> heats = browser.findElements(By.cssSelector("figure.method img.heat"));
      assertEquals(14, heats.size());
      for (WebElement heat : heats) loaded(browser, heat);
    } finally {
      browser.quit();
      try (var files = Files.walk(profile)) {
        files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      }
    }
  }

  private static void loaded(ChromeDriver browser, WebElement img) {
    new WebDriverWait(browser, Duration.ofSeconds(30)).until(d ->
        ((Number) ((JavascriptExecutor) browser).executeScript("return arguments[0].complete ? arguments[0].naturalWidth : 0", img)).intValue() > 0);
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) n++;
    return n;
  }
}
