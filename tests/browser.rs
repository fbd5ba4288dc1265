//! The admin page in a real browser: headless Chromium, driven through chromedriver
//! (`SOFT_DELETE_TEST_CHROMEDRIVER`, with `SOFT_DELETE_TEST_CHROMIUM` for the browser binary,
//! `/usr/bin/chromium` by default), against the example service on SQLite and on every
//! configured server. With `SOFT_DELETE_SCREENSHOTS=<dir>` it also saves the README's
//! screenshots there.
//!
//! Each scenario is what an administrator does: delete a category and list what went with it,
//! filter the trash in and out, restore and press Back on a stale page, read why a restore was
//! refused and reload, tell a trashed row from a missing one, search, confirm a bulk action,
//! get around with the keyboard only, purge, and use the page at 1280 and 390 pixels.

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

/// The ids of the rows in the list's table, in page order.
async fn ids(client: &Client) -> Vec<i32> {
    let rows = client
        .find_all(Locator::Css("#list tr[data-id]"))
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

async fn sorted(client: &Client) -> Vec<i32> {
    let mut ids = ids(client).await;
    ids.sort_unstable();
    ids
}

/// The text of row `id` in the list.
async fn row_text(client: &Client, id: i32) -> String {
    client
        .find(Locator::Css(&format!("#list tr[data-id='{id}']")))
        .await
        .unwrap_or_else(|error| panic!("row {id}: {error}"))
        .text()
        .await
        .expect("text")
}

/// Clicks the button of row `id` whose form posts to `.../{action}`.
async fn press(client: &Client, id: i32, action: &str) {
    client
        .find(Locator::Css(&format!(
            "#list tr[data-id='{id}'] form[action$='/{id}/{action}'] button"
        )))
        .await
        .unwrap_or_else(|error| panic!("{action} button of row {id}: {error}"))
        .click()
        .await
        .expect("click");
}

async fn click(client: &Client, css: &str) {
    client
        .find(Locator::Css(css))
        .await
        .unwrap_or_else(|error| panic!("{css}: {error}"))
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

/// The path and query the browser shows.
async fn address(client: &Client) -> String {
    let url = client.current_url().await.expect("url");
    format!("{}?{}", url.path(), url.query().unwrap_or(""))
}

async fn screenshot(client: &Client, name: &str) {
    let Some(directory) = std::env::var_os("SOFT_DELETE_SCREENSHOTS") else {
        return;
    };
    let png = client.screenshot().await.expect("screenshot");
    std::fs::create_dir_all(&directory).expect("screenshot directory");
    std::fs::write(std::path::Path::new(&directory).join(name), png).expect("save screenshot");
}

async fn script_number(client: &Client, script: &str) -> f64 {
    client
        .execute(script, vec![])
        .await
        .expect("script")
        .as_f64()
        .expect("a number")
}

/// The page is no wider than the window: no horizontal scrollbar.
async fn assert_no_sideways_scrolling(client: &Client, width: f64) {
    let scroll = script_number(client, "return document.documentElement.scrollWidth").await;
    let client_width = script_number(client, "return document.documentElement.clientWidth").await;
    assert!(
        scroll <= client_width && client_width <= width,
        "no sideways scrolling at {width} px: the page is {scroll} px wide in {client_width}"
    );
}

/// What has the keyboard's focus: the element's tag, its text and its `href` or `action`.
async fn focused(client: &Client) -> String {
    client
        .execute(
            "const e = document.activeElement; const form = e.closest('form'); \
             return [e.tagName, e.textContent.trim(), e.getAttribute('href') || (form && form.getAttribute('action')) || '', (e.closest('tr') || {}).id || ''].join(' | ')",
            vec![],
        )
        .await
        .expect("script")
        .as_str()
        .expect("text")
        .to_owned()
}

/// Presses `key` on whatever has the focus.
async fn key(client: &Client, key: &str) {
    client
        .active_element()
        .await
        .expect("focused element")
        .send_keys(key)
        .await
        .expect("key");
}

const TAB: &str = "\u{E004}";
const ENTER: &str = "\u{E007}";

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

    // 1. Deleting a category, from the keyboard: its products go to the trash with it; the
    // trash lists them, and the category's batch page lists exactly those.
    open(&client, &base, "/admin/categories").await;
    let delete = client
        .find(Locator::Css(&format!(
            "#list tr[data-id='{books}'] form[action$='/delete'] button"
        )))
        .await
        .expect("delete button");
    delete
        .send_keys(ENTER)
        .await
        .expect("press Enter on the focused button");
    wait_for_text(&client, "#message", "moved to the trash with 2 products").await;
    open(&client, &base, "/admin/categories?trashed=only").await;
    assert_eq!(ids(&client).await, [books]);
    let note = row_text(&client, books).await;
    assert!(note.contains("Went with it: 2 products."), "{note}");
    click(&client, &format!("#list tr[data-id='{books}'] .note a")).await;
    wait_for_text(
        &client,
        "#message",
        "Went to the trash with category “books”",
    )
    .await;
    assert_eq!(
        sorted(&client).await,
        [novel, atlas],
        "the batch, not the map trashed before"
    );
    passed.push("delete a category; its batch page lists what went with it");

    // 2. The trashed filter: active rows by default, the trash, or both.
    open(&client, &base, "/admin/products").await;
    assert_eq!(ids(&client).await, [pen]);
    click(&client, "#filter-trash").await;
    wait_for_text(&client, "#list-heading", "3 products").await;
    assert_eq!(sorted(&client).await, [old_map, novel, atlas]);
    assert!(
        row_text(&client, novel)
            .await
            .contains("Went with category “books”.")
    );
    assert!(
        row_text(&client, old_map)
            .await
            .contains("Category “books” is in the trash.")
    );
    let headers = client
        .find_all(Locator::Css("#list thead th"))
        .await
        .expect("headers")
        .len();
    let cells = client
        .find_all(Locator::Css("#list tbody tr:first-child td"))
        .await
        .expect("cells")
        .len();
    assert_eq!(headers, cells, "a header per column");
    assert_no_sideways_scrolling(&client, 1280.0).await;
    click(&client, "#filter-all").await;
    wait_for_text(&client, "#list-heading", "4 products").await;
    assert_eq!(sorted(&client).await, [old_map, novel, atlas, pen]);
    passed.push("filter: without, only and with the trash");

    // 3. Restoring the category brings back exactly what went with it; Back to the page drawn
    // before the restore, whose trash offered "Delete forever" for it: the browser fetches it
    // again (`no-store`), and a page it shows from memory anyway deletes nothing active.
    open(&client, &base, "/admin/categories?trashed=only").await;
    press(&client, books, "restore").await;
    wait_for_text(&client, "#message", "restored with 2 products").await;
    client.back().await.expect("back");
    let stale = ids(&client).await.contains(&books);
    if stale {
        press(&client, books, "force-delete").await;
        wait_for_text(&client, "[role='alert']", "is not in the trash").await;
    }
    // And for certain: the confirmation page of "Delete forever" is open while someone else
    // restores the category; confirming deletes nothing.
    category::Entity::soft_delete_by_id(books)
        .exec(&db.conn)
        .await
        .expect("trash the category again");
    open(&client, &base, "/admin/categories?trashed=only").await;
    press(&client, books, "force-delete").await;
    wait_for_text(&client, "#counts", "3 products, deleted for good with it").await;
    category::Entity::restore_by_id(books)
        .exec(&db.conn)
        .await
        .expect("restored elsewhere");
    click(&client, "button#confirm").await;
    wait_for_text(&client, "[role='alert']", "is not in the trash").await;
    let kept = category::Entity::objects()
        .all(&db.conn)
        .await
        .expect("categories")
        .len();
    assert_eq!(kept, 2, "the restored category is still there");
    assert_eq!(
        product::Entity::objects()
            .all(&db.conn)
            .await
            .expect("products")
            .len(),
        3,
        "and its products"
    );
    open(&client, &base, "/admin/products?trashed=only").await;
    assert_eq!(
        ids(&client).await,
        [old_map],
        "exactly its cascade came back"
    );
    passed.push(if stale {
        "stale pages (Back, an open confirmation) delete nothing active"
    } else {
        "Back draws the page anew; an open confirmation deletes nothing active"
    });

    // 4. A restore whose SKU was taken meanwhile is refused with the reason, on the list's
    // own address (post/redirect/get: a reload does not send it again), filter kept.
    product::Entity::soft_delete_by_id(pen)
        .exec(&db.conn)
        .await
        .expect("trash the pen");
    let new_pen = new_product(&db, pens, "PEN").await;
    open(&client, &base, "/admin/products?trashed=only").await;
    press(&client, pen, "restore").await;
    let refused = wait_for_text(&client, "[role='alert']", "is taken by active product").await;
    assert!(
        refused.contains(&format!(
            "Cannot restore product {pen}: its sku is taken by active product {new_pen}."
        )),
        "{refused}"
    );
    let at = address(&client).await;
    assert!(
        at.starts_with("/admin/products?trashed=only&page=1"),
        "{at}"
    );
    assert_eq!(sorted(&client).await, [old_map, pen], "nothing changed");
    client.refresh().await.expect("reload");
    wait_for_text(&client, "#list-heading", "2 products").await;
    assert!(
        client.find(Locator::Css("#message")).await.is_err(),
        "a reload shows the list, not the refusal again"
    );
    screenshot(&client, "admin-refused-restore.png").await;
    passed.push("a conflicting restore says why, and a reload does not resend it");

    // 5. A trashed row and a missing one are different pages (410 and 404 over HTTP); a
    // trashed product whose category is trashed offers "Restore with category".
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

    // 6. Search, in names and SKUs.
    open(&client, &base, "/admin/products?trashed=with").await;
    let search = client.find(Locator::Css("#q")).await.expect("search box");
    search.send_keys("pen").await.expect("type");
    search.send_keys(ENTER).await.expect("submit");
    wait_for_text(&client, "#list-heading", "2 products").await;
    assert_eq!(sorted(&client).await, [pen, new_pen]);
    passed.push("search names and SKUs");

    // 7. Bulk: check two rows, "Move to trash", a confirmation page with the counts, then
    // the action, once; back on the same filtered list.
    open(&client, &base, "/admin/products").await;
    for id in [novel, atlas] {
        click(
            &client,
            &format!("#list tr[data-id='{id}'] input[type='checkbox']"),
        )
        .await;
    }
    click(&client, "#bulk button[value='delete']").await;
    wait_for_text(&client, "#counts", "2 products").await;
    assert_eq!(
        ids_in_db(&db).await,
        2,
        "nothing moved before the confirmation"
    );
    click(&client, "button#confirm").await;
    wait_for_text(&client, "#message", "2 products moved to the trash.").await;
    assert_eq!(ids_in_db(&db).await, 4);
    assert_eq!(ids(&client).await, [new_pen]);
    passed.push("confirmation, then a bulk action");

    // 8. Keyboard only: the skip link is the first stop, the list right after it; a trashed
    // row's Restore is reached and pressed without a mouse, and the focus comes back to the
    // page's notice (the row left this filter) instead of the top of the page.
    open(&client, &base, "/admin/products?trashed=only").await;
    key(&client, TAB).await;
    let first = focused(&client).await;
    assert!(first.starts_with("A | Skip to the list"), "{first}");
    key(&client, ENTER).await;
    let mut presses = 1;
    let restore = loop {
        key(&client, TAB).await;
        presses += 1;
        let now = focused(&client).await;
        if now.contains("Restore") && now.contains("/restore") {
            break now;
        }
        assert!(presses < 10, "no trash control within 10 presses: {now}");
    };
    assert!(restore.contains("/restore"), "{restore}");
    key(&client, ENTER).await;
    wait_for_text(&client, "#message", "restored").await;
    let after = focused(&client).await;
    assert!(
        after.starts_with("DIV"),
        "the focus is on the notice: {after}"
    );
    // And a row still listed after its action gets the focus back: restore from "All".
    open(&client, &base, "/admin/products?trashed=with").await;
    press(&client, old_map, "restore").await;
    wait_for_text(&client, "#message", &format!("Product {old_map} restored.")).await;
    let after = focused(&client).await;
    assert!(
        after.ends_with(&format!("row-{old_map}")),
        "the focus is back on the row: {after}"
    );
    passed.push("keyboard only: skip link, a trash control within a few presses, focus returned");
    println!("keyboard: {presses} presses of Tab to the first trash control");

    // 9. Purging everything deleted more than 0 days ago empties the trash, after a
    // confirmation page that counts what goes per table.
    open(&client, &base, "/admin/products?trashed=only").await;
    let trashed_now = ids_in_db(&db).await;
    let days = client
        .find(Locator::Css("#older_than_days"))
        .await
        .expect("days field");
    days.clear().await.expect("clear");
    days.send_keys("0").await.expect("type");
    click(&client, "form.purge button").await;
    let asked = wait_for_text(&client, "#counts", &format!("{trashed_now} product")).await;
    assert!(asked.contains("0 categories"), "{asked}");
    assert_eq!(
        ids_in_db(&db).await,
        trashed_now,
        "nothing purged before the confirmation"
    );
    click(&client, "button#confirm").await;
    wait_for_text(
        &client,
        "#message",
        &format!("Purged {trashed_now} rows from the trash."),
    )
    .await;
    wait_for_text(&client, "#list", "The trash is empty.").await;
    passed.push("purge empties the trash");

    // 10. The README's screenshots: the list with both kinds of rows, wide and narrow, and no
    // horizontal scrollbar at either width.
    for sku in ["GLOBE", "COMPASS"] {
        let id = new_product(&db, books, sku).await;
        product::Entity::soft_delete_by_id(id)
            .exec(&db.conn)
            .await
            .expect("trash one");
    }
    open(&client, &base, "/admin/products?trashed=with").await;
    assert_no_sideways_scrolling(&client, 1280.0).await;
    screenshot(&client, "admin-products-1280.png").await;
    client
        .set_window_size(390, 844)
        .await
        .expect("narrow window");
    open(&client, &base, "/admin/products?trashed=with").await;
    assert_no_sideways_scrolling(&client, 390.0).await;
    screenshot(&client, "admin-products-390.png").await;
    passed.push("no horizontal scrollbar at 1280 and 390 px");

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
