//! The admin page in a real browser: headless Chromium, driven through chromedriver
//! (`SOFT_DELETE_TEST_CHROMEDRIVER`, with `SOFT_DELETE_TEST_CHROMIUM` for the browser binary,
//! `/usr/bin/chromium` by default), against the example service on SQLite and on every
//! configured server. With `SOFT_DELETE_SCREENSHOTS=<dir>` it also saves the README's
//! screenshots there.
//!
//! Each scenario is what an administrator does: delete a category and see its products go to
//! the trash, restore it and see exactly those come back, try a restore whose SKU was taken
//! and read why it was refused, tell a trashed row from a missing one, purge, and use the page
//! on a narrow screen.

mod common;

use std::net::TcpListener as StdListener;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use common::{Backend, TestDb};
use fantoccini::{Client, ClientBuilder, Locator};
use sea_orm::{ActiveModelTrait, Set};
use serde_json::json;
use soft_delete_service::{category, product};

/// chromedriver, killed when the test ends however it ends.
struct Driver(Child);

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn free_port() -> u16 {
    StdListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .expect("a free port")
        .port()
}

/// Starts chromedriver and a headless Chromium session with a fresh profile.
async fn browser() -> (Driver, Client) {
    let chromedriver = std::env::var("SOFT_DELETE_TEST_CHROMEDRIVER")
        .expect("SOFT_DELETE_TEST_CHROMEDRIVER names chromedriver");
    let chromium =
        std::env::var("SOFT_DELETE_TEST_CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".into());
    let port = free_port();
    let driver = Driver(
        Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|error| panic!("starting {chromedriver}: {error}")),
    );
    let profile = std::env::temp_dir().join(format!("sdt_chromium_{}_{port}", std::process::id()));
    let mut capabilities = serde_json::Map::new();
    capabilities.insert(
        "goog:chromeOptions".into(),
        json!({
            "binary": chromium,
            // Headless as root in a container, and quiet: this machine's network is closed,
            // and Chromium's background services would retry their connections all along.
            "args": [
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--window-size=1280,900",
                format!("--user-data-dir={}", profile.display()),
            ],
        }),
    );
    let url = format!("http://127.0.0.1:{port}");
    let mut last_error = None;
    // chromedriver takes a moment to listen; give it up to ten seconds.
    for _ in 0..100 {
        let connector = hyper_util::client::legacy::connect::HttpConnector::new();
        match ClientBuilder::new(connector)
            .capabilities(capabilities.clone())
            .connect(&url)
            .await
        {
            Ok(client) => return (driver, client),
            Err(error) => last_error = Some(error),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no WebDriver session from {chromedriver}: {last_error:?}");
}

/// Serves the example service over `db` on a free port; returns its base URL.
async fn serve(db: &TestDb) -> String {
    soft_delete_service::migrate(db.conn.inner())
        .await
        .expect("migrations");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let address = listener.local_addr().expect("address");
    let app = soft_delete_service::router(db.conn.clone());
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{address}")
}

/// Polls until the element `css` contains `needle` (a page load after a click is not awaited by
/// every driver); fails after ten seconds with what the page showed.
async fn wait_for_text(client: &Client, css: &str, needle: &str) -> String {
    let mut seen = String::new();
    for _ in 0..200 {
        if let Ok(element) = client.find(Locator::Css(css)).await {
            seen = element.text().await.unwrap_or_default();
            if seen.contains(needle) {
                return seen;
            }
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let source = client.source().await.unwrap_or_default();
    panic!("{css} never showed {needle:?}; last {seen:?}; page:\n{source}");
}

/// The ids of the rows in the table of section `section` ("active" or "trash"), in page order.
async fn ids(client: &Client, section: &str) -> Vec<i32> {
    let rows = client
        .find_all(Locator::Css(&format!("#{section} tr[data-id]")))
        .await
        .expect("rows");
    let mut ids = Vec::with_capacity(rows.len());
    for row in rows {
        let id = row
            .attr("data-id")
            .await
            .expect("attribute")
            .expect("data-id");
        ids.push(id.parse().expect("numeric id"));
    }
    ids
}

async fn sorted(client: &Client, section: &str) -> Vec<i32> {
    let mut ids = ids(client, section).await;
    ids.sort_unstable();
    ids
}

/// The text of row `id` in `section`.
async fn row_text(client: &Client, section: &str, id: i32) -> String {
    client
        .find(Locator::Css(&format!("#{section} tr[data-id='{id}']")))
        .await
        .unwrap_or_else(|error| panic!("row {id} in {section}: {error}"))
        .text()
        .await
        .expect("text")
}

/// Clicks the button of row `id` whose form posts to `.../{action}`.
async fn press(client: &Client, section: &str, id: i32, action: &str) {
    client
        .find(Locator::Css(&format!(
            "#{section} tr[data-id='{id}'] form[action$='/{id}/{action}'] button"
        )))
        .await
        .unwrap_or_else(|error| panic!("{action} button of row {id} in {section}: {error}"))
        .click()
        .await
        .expect("click");
}

async fn open(client: &Client, base: &str, path: &str) {
    client
        .goto(&format!("{base}{path}"))
        .await
        .expect("navigate");
}

async fn screenshot(client: &Client, name: &str) {
    let Some(directory) = std::env::var_os("SOFT_DELETE_SCREENSHOTS") else {
        return;
    };
    let png = client.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(&directory).expect("screenshot directory");
    std::fs::write(std::path::Path::new(&directory).join(name), png).expect("save screenshot");
}

/// Where the active and trash sections of the products page are: (x, y, width, height) each.
async fn placement(client: &Client, base: &str) -> ((f64, f64, f64, f64), (f64, f64, f64, f64)) {
    open(client, base, "/admin/products").await;
    let mut rectangles = Vec::new();
    for section in ["#active", "#trash"] {
        let element = client.find(Locator::Css(section)).await.expect("section");
        rectangles.push(element.rectangle().await.expect("rectangle"));
    }
    (rectangles[0], rectangles[1])
}

/// How many products are in the trash, read from the database.
async fn ids_in_db(db: &TestDb) -> usize {
    product::Entity::deleted_objects()
        .all(&db.conn)
        .await
        .expect("trash")
        .len()
}

async fn new_product(db: &TestDb, category_id: i32, sku: &str) -> i32 {
    product::ActiveModel {
        category_id: Set(category_id),
        sku: Set(sku.into()),
        name: Set(sku.to_lowercase()),
        price: Set(1_200),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .expect("insert product")
    .id
}

/// One browser at a time: three Chromiums on a 2-core machine would make each slower than
/// the page waits allow.
static ONE_BROWSER: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

async fn scenarios(backend: Backend) {
    let _browser = ONE_BROWSER.lock().await;
    let db = TestDb::pooled(backend).await;
    let base = serve(&db).await;
    let (_driver, client) = browser().await;
    let mut passed = Vec::new();

    let books = category::ActiveModel {
        name: Set("books".into()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .expect("category")
    .id;
    let pens = category::ActiveModel {
        name: Set("pens".into()),
        ..Default::default()
    }
    .insert(&db.conn)
    .await
    .expect("category")
    .id;
    let old_map = new_product(&db, books, "OLD-MAP").await;
    let novel = new_product(&db, books, "NOVEL").await;
    let atlas = new_product(&db, books, "ATLAS").await;
    let pen = new_product(&db, pens, "PEN").await;
    // Trashed on its own before the category: the category's restore must leave it there.
    product::Entity::soft_delete_by_id(old_map)
        .exec(&db.conn)
        .await
        .expect("trash the old map");

    // 1. Deleting a category, from the keyboard: its products go to the trash with it.
    open(&client, &base, "/admin/categories").await;
    let delete = client
        .find(Locator::Css(&format!(
            "#active tr[data-id='{books}'] form[action$='/delete'] button"
        )))
        .await
        .expect("delete button");
    delete
        .send_keys("\u{E007}")
        .await
        .expect("press Enter on the focused button");
    wait_for_text(&client, "#message", "moved to the trash with 2 products").await;
    assert_eq!(ids(&client, "trash").await, [books]);
    let note = row_text(&client, "trash", books).await;
    assert!(
        note.contains("Went with it: 2 products: NOVEL, ATLAS."),
        "{note}"
    );
    open(&client, &base, "/admin/products").await;
    assert_eq!(ids(&client, "active").await, [pen]);
    assert_eq!(sorted(&client, "trash").await, [old_map, novel, atlas]);
    assert!(
        row_text(&client, "trash", novel)
            .await
            .contains("Went with category “books”.")
    );
    assert!(
        row_text(&client, "trash", old_map)
            .await
            .contains("Category “books” is in the trash.")
    );
    for section in ["active", "trash"] {
        let headers = client
            .find_all(Locator::Css(&format!("#{section} thead th")))
            .await
            .expect("headers")
            .len();
        let cells = client
            .find_all(Locator::Css(&format!("#{section} tbody tr:first-child td")))
            .await
            .expect("cells")
            .len();
        assert_eq!(headers, cells, "a header per column in {section}");
    }
    screenshot(&client, "admin-products.png").await;
    passed.push("delete a category, its products go to the trash");

    // 2. Restoring it brings back exactly what went with it.
    open(&client, &base, "/admin/categories").await;
    screenshot(&client, "admin-categories.png").await;
    press(&client, "trash", books, "restore").await;
    wait_for_text(&client, "#message", "restored with 2 products").await;
    assert_eq!(sorted(&client, "active").await, [books, pens]);

    // 2b. Back to the page drawn before the restore, whose trash offered "Delete forever" for
    // the category: the browser fetches it again (the admin's pages are `no-store`), and a
    // page it shows from memory anyway deletes nothing active (decided in the `DELETE`).
    client.back().await.expect("back");
    let stale = ids(&client, "trash").await.contains(&books);
    if stale {
        press(&client, "trash", books, "force-delete").await;
        wait_for_text(&client, "[role='alert']", "is not in the trash").await;
    }
    let kept = category::Entity::objects()
        .all(&db.conn)
        .await
        .expect("categories")
        .len();
    assert_eq!(kept, 2, "the restored category is still there");
    passed.push(if stale {
        "a stale page's Delete forever deletes nothing active"
    } else {
        "Back draws the page anew: no stale Delete forever"
    });

    open(&client, &base, "/admin/products").await;
    assert_eq!(sorted(&client, "active").await, [novel, atlas, pen]);
    assert_eq!(ids(&client, "trash").await, [old_map]);
    passed.push("restore the category, exactly its cascade comes back");

    // 3. A restore whose SKU was taken meanwhile is refused in the page, with the reason.
    press(&client, "active", pen, "delete").await;
    wait_for_text(
        &client,
        "#message",
        &format!("Product {pen} moved to the trash."),
    )
    .await;
    let new_pen = new_product(&db, pens, "PEN").await;
    open(&client, &base, "/admin/products").await;
    press(&client, "trash", pen, "restore").await;
    let refused = wait_for_text(&client, "[role='alert']", "is taken by active product").await;
    assert!(
        refused.contains(&format!(
            "Cannot restore product {pen}: its sku is taken by active product {new_pen}."
        )),
        "{refused}"
    );
    assert_eq!(
        sorted(&client, "trash").await,
        [old_map, pen],
        "nothing changed"
    );
    screenshot(&client, "admin-refused-restore.png").await;
    passed.push("a conflicting restore shows why it was refused");

    // 4. A trashed row and a missing one are different pages (410 and 404 over HTTP).
    open(&client, &base, &format!("/admin/products/{pen}")).await;
    wait_for_text(&client, "h1", &format!("Product {pen}")).await;
    wait_for_text(
        &client,
        "#message",
        "Gone: this product is in the trash since",
    )
    .await;
    open(&client, &base, "/admin/products/999999").await;
    wait_for_text(&client, "h1", "Not found").await;
    wait_for_text(&client, "#message", "There is no product 999999.").await;
    passed.push("gone and missing look different");

    // 5. Purging everything deleted more than 0 days ago empties the trash.
    open(&client, &base, "/admin/products").await;
    let days = client
        .find(Locator::Css("#older_than_days"))
        .await
        .expect("days field");
    days.clear().await.expect("clear");
    days.send_keys("0").await.expect("type");
    client
        .find(Locator::Css("form.purge button"))
        .await
        .expect("purge button")
        .click()
        .await
        .expect("click");
    // A confirmation page first, with what goes per table; nothing is purged until confirmed.
    let asked = wait_for_text(&client, "#counts", "2 products").await;
    assert!(asked.contains("0 categories"), "{asked}");
    assert_eq!(
        ids_in_db(&db).await,
        2,
        "nothing purged before the confirmation"
    );
    client
        .find(Locator::Css("button#confirm"))
        .await
        .expect("confirm button")
        .click()
        .await
        .expect("click");
    wait_for_text(&client, "#message", "Purged 2 rows from the trash.").await;
    assert_eq!(ids(&client, "trash").await, Vec::<i32>::new());
    wait_for_text(&client, "#trash", "The trash is empty.").await;
    assert_eq!(sorted(&client, "active").await, [novel, atlas, new_pen]);
    passed.push("purge empties the trash");

    // 6. Side by side on a wide screen, one above the other on a narrow one.
    product::Entity::soft_delete_by_id(atlas)
        .exec(&db.conn)
        .await
        .expect("trash one");
    let (active, trash) = placement(&client, &base).await;
    assert!(
        trash.0 > active.0 && (trash.1 - active.1).abs() < 1.0,
        "side by side: {active:?} {trash:?}"
    );
    client
        .set_window_size(390, 844)
        .await
        .expect("narrow window");
    let (active, trash) = placement(&client, &base).await;
    assert!(
        trash.1 >= active.1 + active.3 && (trash.0 - active.0).abs() < 1.0,
        "stacked: {active:?} {trash:?}"
    );
    let width: f64 = client
        .execute("return document.documentElement.scrollWidth", vec![])
        .await
        .expect("script")
        .as_f64()
        .expect("a number");
    assert!(width <= 390.0, "no sideways scrolling of the page: {width}");
    screenshot(&client, "admin-narrow.png").await;
    passed.push("readable on a narrow screen");

    client.close().await.expect("close the session");
    println!(
        "browser scenarios on {backend:?}: {} passed: {}",
        passed.len(),
        passed.join("; ")
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(soft_delete_test_browser),
    ignore = "set SOFT_DELETE_TEST_CHROMEDRIVER to run"
)]
async fn admin_in_a_browser_sqlite() {
    scenarios(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(soft_delete_test_browser, soft_delete_test_postgres)),
    ignore = "set SOFT_DELETE_TEST_CHROMEDRIVER and SOFT_DELETE_TEST_POSTGRES_URL to run"
)]
async fn admin_in_a_browser_postgres() {
    scenarios(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[cfg_attr(
    not(all(soft_delete_test_browser, soft_delete_test_mariadb)),
    ignore = "set SOFT_DELETE_TEST_CHROMEDRIVER and SOFT_DELETE_TEST_MARIADB_URL to run"
)]
async fn admin_in_a_browser_mariadb() {
    scenarios(Backend::MariaDb).await;
}
