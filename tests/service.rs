//! The example service over HTTP (in process, through tower's `oneshot`) on every backend:
//! every endpoint and status code, malformed input, concurrent requests on the same rows, and
//! a small load measurement of the delete and restore endpoints.

mod common;

use std::time::Instant;

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use common::{Backend, TestDb};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use tower::ServiceExt;

async fn app(db: &TestDb) -> Router {
    soft_delete_service::migrate(db.conn.inner())
        .await
        .expect("migrations");
    soft_delete_service::router(db.conn.clone())
}

async fn call(app: &Router, method: &str, uri: &str, body: Option<Value>) -> (StatusCode, Value) {
    let request = Request::builder().method(method).uri(uri);
    let request = match body {
        Some(body) => request
            .header("content-type", "application/json")
            .body(Body::from(body.to_string())),
        None => request.body(Body::empty()),
    }
    .expect("request");
    let response = app.clone().oneshot(request).await.expect("response");
    let status = response.status();
    assert!(
        response.headers().contains_key("x-request-id"),
        "{method} {uri} has a request id"
    );
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    let value = if bytes.is_empty() {
        Value::Null
    } else {
        serde_json::from_slice(&bytes).unwrap_or(Value::Null)
    };
    (status, value)
}

async fn raw(
    app: &Router,
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: &str,
) -> (StatusCode, Value) {
    send(app, method, uri, content_type, body.as_bytes().to_vec()).await
}

async fn category(app: &Router, name: &str) -> i64 {
    let (status, body) = call(app, "POST", "/categories", Some(json!({ "name": name }))).await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body["id"].as_i64().expect("id")
}

async fn product(app: &Router, category: i64, sku: &str) -> Value {
    let (status, body) = call(
        app,
        "POST",
        "/products",
        Some(json!({ "category_id": category, "sku": sku, "name": sku, "price": 100 })),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{body}");
    body
}

/// Sends raw bytes; returns the status and the body parsed as JSON (`Null` when it is not JSON).
async fn send(
    app: &Router,
    method: &str,
    uri: &str,
    content_type: Option<&str>,
    body: Vec<u8>,
) -> (StatusCode, Value) {
    let mut request = Request::builder().method(method).uri(uri);
    if let Some(content_type) = content_type {
        request = request.header("content-type", content_type);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body)).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

/// An admin page request: a form body for `POST`; returns the status, the `Location` header and
/// the page's text.
async fn page(
    app: &Router,
    method: &str,
    uri: &str,
    form: &str,
    headers: &[(&str, &str)],
) -> (StatusCode, Option<String>, String) {
    let mut request = Request::builder()
        .method(method)
        .uri(uri)
        .header("host", "localhost");
    if method == "POST" {
        request = request.header("content-type", "application/x-www-form-urlencoded");
    }
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(form.to_owned())).expect("request"))
        .await
        .expect("response");
    let status = response.status();
    let location = response
        .headers()
        .get("location")
        .and_then(|at| at.to_str().ok())
        .map(str::to_owned);
    let bytes = response
        .into_body()
        .collect()
        .await
        .expect("body")
        .to_bytes();
    (
        status,
        location,
        String::from_utf8_lossy(&bytes).into_owned(),
    )
}

/// The `<tr data-id=..>` rows of a list page's table, in page order.
fn list_ids(html: &str) -> Vec<i64> {
    let start = html
        .find("<section id=\"list\"")
        .unwrap_or_else(|| panic!("no list in {html}"));
    let end = html[start..]
        .find("</section>")
        .map_or(html.len(), |end| start + end);
    html[start..end]
        .split("<tr data-id=\"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next()?.parse().ok())
        .collect()
}

fn sorted(mut ids: Vec<i64>) -> Vec<i64> {
    ids.sort_unstable();
    ids
}

/// An admin action, post/redirect/get: the `POST` must answer `303 See Other`; returns where
/// it led and the page found there.
async fn act(app: &Router, uri: &str, form: &str) -> (String, String) {
    let (status, location, html) = page(app, "POST", uri, form, &[]).await;
    assert_eq!(status, StatusCode::SEE_OTHER, "POST {uri} {form}: {html}");
    let location = location.expect("a redirect");
    let (status, _, html) = page(app, "GET", &location, "", &[]).await;
    assert_eq!(status, StatusCode::OK, "GET {location}");
    (location, html)
}

/// Asks to purge what was deleted more than `days` ago: the confirmation page's status and text,
/// and the form its button sends (with the cutoff the page counted with).
async fn purge_asked(app: &Router, days: u32) -> (StatusCode, String, String) {
    let (status, _, html) = page(
        app,
        "POST",
        "/admin/purge",
        &format!("older_than_days={days}&nav=products"),
        &[],
    )
    .await;
    let cutoff = html
        .split("name=\"cutoff\" value=\"")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .replace(':', "%3A")
        .replace('+', "%2B");
    (
        status,
        html,
        format!("older_than_days={days}&nav=products&cutoff={cutoff}&confirmed=yes"),
    )
}

/// The text of the page's notice (`role="status"`) or refusal (`role="alert"`).
fn message(html: &str) -> &str {
    let start = html
        .find("id=\"message\"")
        .unwrap_or_else(|| panic!("no message in {html}"));
    let start = start + html[start..].find('>').expect("tag end") + 1;
    let end = start + html[start..].find('<').expect("text end");
    &html[start..end]
}

/// One request of the bad-input corpus.
struct BadInput {
    method: &'static str,
    uri: String,
    content_type: Option<&'static str>,
    body: Vec<u8>,
}

/// Bad input for every endpoint: overflowing and malformed numbers in paths and queries, NUL,
/// over-long and non-UTF-8 strings, wrong content types, oversized and malformed bodies,
/// unknown routes and methods. `product` is an existing product's id.
fn bad_input_corpus(product: i64) -> Vec<BadInput> {
    let mut corpus = Vec::new();
    let mut add = |method, uri: String, content_type, body: Vec<u8>| {
        corpus.push(BadInput {
            method,
            uri,
            content_type,
            body,
        });
    };
    let ids = [
        "abc",
        "1.5",
        "-",
        "%20",
        "%00",
        "%FF%FE",
        "0x10",
        "1e3",
        "+-1",
        "18446744073709551616",
        "99999999999999999999999",
        "-2147483649",
        "2147483648",
        "-1",
        "0",
    ];
    let id_routes = [
        ("GET", "/products/{}"),
        ("PUT", "/products/{}"),
        ("DELETE", "/products/{}"),
        ("POST", "/products/{}/restore"),
        ("DELETE", "/trash/products/{}"),
        ("DELETE", "/categories/{}"),
        ("POST", "/categories/{}/restore"),
    ];
    for (method, route) in id_routes {
        for id in ids {
            let body = if method == "PUT" {
                br#"{"price": 1}"#.to_vec()
            } else {
                Vec::new()
            };
            add(
                method,
                route.replace("{}", id),
                Some("application/json"),
                body,
            );
        }
    }
    for query in [
        "page=18446744073709551615&per_page=100",
        "page=100000000000000000",
        "page=1000001",
        "page=18446744073709551616",
        "per_page=18446744073709551615",
        "page=-1",
        "page=%00",
        "per_page=1e2",
        "page=1&page=2",
        "per_page=",
    ] {
        add("GET", format!("/products?{query}"), None, Vec::new());
    }
    for query in [
        "older_than_secs=4294967296",
        "older_than_secs=18446744073709551615",
        "older_than_secs=%FF",
        "older_than_secs=-1",
        "",
    ] {
        add("POST", format!("/trash/purge?{query}"), None, Vec::new());
    }
    let long_ascii = "x".repeat(256);
    let long_accented = "é".repeat(300);
    let long_emoji = "🗑".repeat(256);
    // JSON escapes, decoded by the server: NUL, a tab, an ANSI escape.
    let strings = [
        "",
        r"a\u0000b",
        r"\u0000",
        long_ascii.as_str(),
        long_accented.as_str(),
        long_emoji.as_str(),
        r"tab\there",
        r"\u001b[31m",
    ];
    let nested = format!("{}{}", "[".repeat(10_000), "]".repeat(10_000));
    let oversized = format!(r#"{{"name": "{}"}}"#, "a".repeat(100 * 1024));
    let mut bodies: Vec<Vec<u8>> = vec![
        b"{".to_vec(),
        b"[]".to_vec(),
        b"null".to_vec(),
        Vec::new(),
        br#"{"name": }"#.to_vec(),
        b"{\"name\": \"\xff\xfe\"}".to_vec(),
        b"\xff\xfe\x00".to_vec(),
        nested.into_bytes(),
        oversized.into_bytes(),
        br#"{"category_id": 2147483648, "sku": "A", "name": "a", "price": 1}"#.to_vec(),
        br#"{"category_id": 1, "sku": "A", "name": "a", "price": 9223372036854775808}"#.to_vec(),
        br#"{"category_id": 1, "sku": "A", "name": "a", "price": -9223372036854775809}"#.to_vec(),
        br#"{"category_id": 1, "sku": "A", "name": "a", "price": 1e400}"#.to_vec(),
        br#"{"category_id": 1, "sku": "A", "name": "a", "price": 1.5}"#.to_vec(),
        br#"{"price": 18446744073709551616}"#.to_vec(),
    ];
    for text in strings {
        bodies.push(
            format!(r#"{{"category_id": 1, "sku": "{text}", "name": "ok", "price": 1}}"#)
                .into_bytes(),
        );
        bodies.push(
            format!(
                r#"{{"category_id": 1, "sku": "OK-{}", "name": "{text}", "price": 1}}"#,
                text.len()
            )
            .into_bytes(),
        );
        bodies.push(format!(r#"{{"name": "{text}"}}"#).into_bytes());
    }
    let body_routes = [
        ("POST", "/products".to_owned()),
        ("PUT", format!("/products/{product}")),
        ("POST", "/categories".to_owned()),
    ];
    for (method, uri) in &body_routes {
        for body in &bodies {
            add(method, uri.clone(), Some("application/json"), body.clone());
        }
        for content_type in [
            None,
            Some("text/plain"),
            Some("application/xml"),
            Some("application/jsonx"),
            Some("multipart/form-data"),
        ] {
            add(
                method,
                uri.clone(),
                content_type,
                br#"{"category_id": 1, "sku": "CT", "name": "ct", "price": 1}"#.to_vec(),
            );
        }
    }
    for (method, uri) in [
        ("GET", "/nope"),
        ("GET", "/products/1/nope"),
        ("POST", "/trash"),
        ("GET", "/%FF"),
        ("PATCH", "/products"),
        ("DELETE", "/products"),
        ("GET", "/trash/purge"),
        ("PUT", "/categories"),
        ("POST", "/products/1"),
    ] {
        add(method, uri.to_owned(), None, Vec::new());
    }
    corpus
}

backend_tests! {
    async fn admin_pages_list_filter_and_act_through_posts(db: &TestDb) {
        let app = app(db).await;
        let books = category(&app, "books").await;
        let pens = category(&app, "pens").await;
        let novel = product(&app, books, "NOVEL").await["id"].as_i64().expect("id");
        let atlas = product(&app, books, "ATLAS").await["id"].as_i64().expect("id");
        let pen = product(&app, pens, "PEN").await["id"].as_i64().expect("id");

        let (status, _, html) = page(&app, "GET", "/admin/products", "", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("name=\"viewport\""), "readable on a narrow screen");
        assert!(html.contains("<a class=\"skip\" href=\"#list\">"), "a skip link first");
        assert_eq!(list_ids(&html), [novel, atlas, pen], "active rows by default");

        // Actions are POSTs answered 303 back to the list, which says what happened.
        let (_, html) = act(&app, &format!("/admin/categories/{books}/delete"), "").await;
        assert_eq!(message(&html), format!("Category {books} moved to the trash with 2 products."));
        let (_, _, html) = page(&app, "GET", "/admin/categories?trashed=only", "", &[]).await;
        assert_eq!(list_ids(&html), [books]);
        assert!(html.contains("Went with it: 2 products.") && html.contains(&format!("href=\"/admin/categories/{books}/batch\"")), "{html}");
        let (_, _, html) = page(&app, "GET", "/admin/products", "", &[]).await;
        assert_eq!(list_ids(&html), [pen]);
        let (_, _, html) = page(&app, "GET", "/admin/products?trashed=only", "", &[]).await;
        assert_eq!(sorted(list_ids(&html)), [novel, atlas]);
        assert!(html.contains("Went with category “books”."), "{html}");
        assert!(html.contains(&format!("action=\"/admin/products/{novel}/restore-with-category\"")), "{html}");
        let (status, _, html) = page(&app, "GET", &format!("/admin/products/{novel}"), "", &[]).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(html.contains(&format!("action=\"/admin/products/{novel}/restore-with-category\"")), "on its own page too: {html}");
        let (_, _, html) = page(&app, "GET", "/admin/products?trashed=with", "", &[]).await;
        assert_eq!(sorted(list_ids(&html)), [novel, atlas, pen], "with the trash: every row");
        assert!(html.contains(">Active (1)<") && html.contains(">Trash (2)<") && html.contains(">All (3)<"), "the filter's counts: {html}");

        // No action is a GET: the address of a button answers 405, as a page.
        let (status, _, html) = page(&app, "GET", &format!("/admin/products/{pen}/delete"), "", &[]).await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
        assert!(html.contains("<html"), "{html}");

        // A restore the category's trash refuses: post/redirect/get, back to the page the form
        // was on (filter and page kept), with the reason, and the focus on that row.
        let back = "trashed=only&page=1&per_page=50";
        let (location, html) = act(&app, &format!("/admin/products/{novel}/restore"), &format!("back={}", back.replace('&', "%26").replace('=', "%3D"))).await;
        assert!(location.starts_with(&format!("/admin/products?{back}&notice=")), "{location}");
        assert!(html.contains("role=\"alert\"") && message(&html).contains("its category is in the trash"), "{html}");
        assert_eq!(sorted(list_ids(&html)), [novel, atlas], "nothing changed");
        assert!(html.contains(&format!("<a href=\"/admin/products/{novel}\" autofocus aria-describedby=\"message\">")), "the focus returns to the row: {html}");
        // The notice is shown once: a reload does not repeat it, nor resend the action.
        let (_, _, again) = page(&app, "GET", &location, "", &[]).await;
        assert!(!again.contains("id=\"message\""), "{again}");

        // Restoring the category brings back exactly what went with it.
        let (_, html) = act(&app, &format!("/admin/categories/{books}/restore"), "").await;
        assert_eq!(message(&html), format!("Category {books} restored with 2 products."));
        for (category, products) in [(books, 2), (pens, 1)] {
            let row = html.split(&format!("<tr data-id=\"{category}\"")).nth(1).and_then(|rest| rest.split("</tr>").next()).expect("the category's row");
            assert!(row.contains(&format!("data-label=\"Products\">{products}</td>")), "{row}");
        }

        // A SKU taken while a product was in the trash: the restore is refused with the reason.
        act(&app, &format!("/admin/products/{pen}/delete"), "").await;
        product(&app, pens, "PEN").await;
        let (_, html) = act(&app, &format!("/admin/products/{pen}/restore"), "").await;
        assert!(message(&html).starts_with(&format!("Cannot restore product {pen}: its sku is taken by active product ")), "{html}");

        // Gone and missing look different.
        let (status, _, gone) = page(&app, "GET", &format!("/admin/products/{pen}"), "", &[]).await;
        assert_eq!(status, StatusCode::GONE);
        assert!(gone.contains("Gone: this product is in the trash since"), "{gone}");
        let (status, _, missing) = page(&app, "GET", "/admin/products/999999", "", &[]).await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        assert!(missing.contains("There is no product 999999."), "{missing}");
        let (status, _, _) = page(&app, "GET", &format!("/admin/products/{novel}"), "", &[]).await;
        assert_eq!(status, StatusCode::OK);

        // Force delete only from the trash, after a confirmation page that deletes nothing;
        // purge older than 0 days empties the trash, after its own confirmation.
        let (status, _, html) = page(&app, "POST", &format!("/admin/products/{pen}/force-delete"), "", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("Delete product {pen} (“PEN”) for good?")) && html.contains("name=\"confirmed\" value=\"yes\""), "{html}");
        assert_eq!(page(&app, "GET", &format!("/admin/products/{pen}"), "", &[]).await.0, StatusCode::GONE, "still in the trash");
        let (_, html) = act(&app, &format!("/admin/products/{pen}/force-delete"), "confirmed=yes").await;
        assert_eq!(message(&html), format!("Product {pen} deleted for good."));
        act(&app, &format!("/admin/products/{atlas}/delete"), "").await;
        let (status, html, confirmed) = purge_asked(&app, 0).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<li>1 product</li>") && html.contains("<li>0 categories</li>"), "the counts per table: {html}");
        assert_eq!(page(&app, "GET", &format!("/admin/products/{atlas}"), "", &[]).await.0, StatusCode::GONE, "nothing purged yet");
        // Trashed after the confirmation page was drawn: not among what it counted, kept.
        act(&app, &format!("/admin/products/{novel}/delete"), "").await;
        let (_, html) = act(&app, "/admin/purge", &confirmed).await;
        assert_eq!(message(&html), "Purged 1 row from the trash.");
        assert_eq!(page(&app, "GET", &format!("/admin/products/{novel}"), "", &[]).await.0, StatusCode::GONE, "trashed after the count: kept");
        act(&app, &format!("/admin/products/{novel}/restore"), "").await;
        let (_, _, html) = page(&app, "GET", "/admin/products?trashed=only", "", &[]).await;
        assert_eq!(list_ids(&html), Vec::<i64>::new());
        assert!(html.contains("The trash is empty."), "{html}");

        // A category whose cascade would bring back a product whose SKU was taken meanwhile:
        // the page names that product.
        let maps = category(&app, "maps").await;
        let globe = product(&app, maps, "GLOBE").await["id"].as_i64().expect("id");
        act(&app, &format!("/admin/categories/{maps}/delete"), "").await;
        let new_globe = product(&app, pens, "GLOBE").await["id"].as_i64().expect("id");
        let (_, html) = act(&app, &format!("/admin/categories/{maps}/restore"), "").await;
        let expected = format!("Cannot restore category {maps}: product {globe}, which would come back, has a sku taken by active product {new_globe}.");
        assert!(message(&html).starts_with(&expected), "{expected}\n{html}");
    }

    // Issue 32: the search looks in names and SKUs, ignoring case, takes `%` and `_`
    // literally, and keeps the filter; page sizes and numbered pages bound every list.
    async fn admin_search_filter_and_pages(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let mut ids = Vec::new();
        for sku in ["RED-PEN", "BLUE-PEN", "DESK", "LAMP_50%", "LAMP-500"] {
            ids.push(product(&app, shop, sku).await["id"].as_i64().expect("id"));
        }
        act(&app, &format!("/admin/products/{}/delete", ids[1]), "").await;
        let (_, _, html) = page(&app, "GET", "/admin/products?q=pen", "", &[]).await;
        assert_eq!(list_ids(&html), [ids[0]], "active only, by SKU, ignoring case");
        let (_, _, html) = page(&app, "GET", "/admin/products?q=PEN&trashed=with", "", &[]).await;
        assert_eq!(list_ids(&html), [ids[0], ids[1]]);
        assert!(html.contains(">Active (1)<") && html.contains(">Trash (1)<"), "the counts follow the search: {html}");
        let (status, chair) = call(&app, "POST", "/products", Some(json!({ "category_id": shop, "sku": "C-1", "name": "Office Chair", "price": 1 }))).await;
        assert_eq!(status, StatusCode::CREATED);
        let (_, _, html) = page(&app, "GET", "/admin/products?q=office%20CHAIR", "", &[]).await;
        assert_eq!(list_ids(&html), [chair["id"].as_i64().expect("id")], "by name, ignoring case");
        let (_, _, html) = page(&app, "GET", "/admin/products?q=_50%25", "", &[]).await;
        assert_eq!(list_ids(&html), [ids[3]], "wildcards are literal");
        let (_, _, html) = page(&app, "GET", "/admin/products?q=nothing-like-it", "", &[]).await;
        assert!(html.contains("No products match “nothing-like-it” here."), "{html}");
        // Pages: 2 per page over 5 active rows.
        let (_, _, html) = page(&app, "GET", "/admin/products?per_page=2&page=2", "", &[]).await;
        assert_eq!(list_ids(&html), [ids[3], ids[4]]);
        assert!(html.contains("aria-current=\"page\">2</a>") && html.contains("Page 2 of 3"), "{html}");
        // Emptying the last page sends the list to the new last page, not to an empty one.
        let last = list_ids(&page(&app, "GET", "/admin/products?per_page=2&page=3", "", &[]).await.2);
        assert_eq!(last.len(), 1);
        let (_, html) = act(&app, &format!("/admin/products/{}/delete", last[0]), "back=trashed%3Dwithout%26page%3D3%26per_page%3D2").await;
        assert!(html.contains("Page 2 of 2") && list_ids(&html).len() == 2, "{html}");
        let (_, _, html) = page(&app, "GET", "/admin/categories?q=SHOP", "", &[]).await;
        assert_eq!(list_ids(&html), [shop]);
    }

    // Issue 32: checked rows, one action, after a confirmation page that counts them; through
    // the library's bulk operations, one statement per table.
    async fn admin_bulk_actions_confirm_then_act_once_per_table(db: &TestDb) {
        let app = app(db).await;
        let garden = category(&app, "garden").await;
        let tools = category(&app, "tools").await;
        let mut products = Vec::new();
        for (category, sku) in [(garden, "RAKE"), (garden, "HOE"), (tools, "SAW"), (tools, "AXE")] {
            products.push(product(&app, category, sku).await["id"].as_i64().expect("id"));
        }
        let form = |action: &str, ids: &[i64], confirmed: bool| {
            let mut form = format!("action={action}&back=trashed%3Dwith%26page%3D1%26per_page%3D20");
            for id in ids {
                form.push_str(&format!("&ids={id}"));
            }
            if confirmed {
                form.push_str("&confirmed=yes");
            }
            form
        };
        // Unconfirmed: a page with the counts, nothing changed.
        let (status, _, html) = page(&app, "POST", "/admin/categories/bulk", &form("delete", &[garden, tools], false), &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("<li>2 categories</li>") && html.contains("<li>4 products, which go to the trash with them</li>"), "{html}");
        assert_eq!(call(&app, "GET", "/trash/products", None).await.1["total"], json!(0));
        // Confirmed: the categories and their products, one UPDATE per table.
        db.statements.take();
        let (location, html) = act(&app, "/admin/categories/bulk", &form("delete", &[garden, tools], true)).await;
        let updates = db.statements.take().iter().filter(|sql| sql.trim_start().to_uppercase().starts_with("UPDATE")).count();
        assert_eq!(updates, 2, "one UPDATE per table");
        assert!(location.starts_with("/admin/categories?trashed=with&page=1&per_page=20&notice="), "{location}");
        assert_eq!(message(&html), "2 categories moved to the trash with 4 products.");
        assert_eq!(call(&app, "GET", "/trash/products", None).await.1["total"], json!(4));
        // Restore one of them: its products come back with it.
        let (_, html) = act(&app, "/admin/categories/bulk", &form("restore", &[tools], true)).await;
        assert_eq!(message(&html), "1 category restored with 2 products.");
        // Delete forever: only what is still in the trash, whatever was checked.
        let (_, _, html) = page(&app, "POST", "/admin/products/bulk", &form("force-delete", &products, false), &[]).await;
        assert!(html.contains("<li>2 products</li>") && html.contains("(2 products checked but not in the trash: left as they are)"), "{html}");
        let (_, html) = act(&app, "/admin/products/bulk", &form("force-delete", &products, true)).await;
        assert_eq!(message(&html), "2 products deleted for good.");
        let (_, all) = call(&app, "GET", "/products", None).await;
        assert_eq!(all["total"], json!(2), "the active products are all there");
        // Nothing checked, or nothing to act on: refused, changed nothing, still a redirect.
        let (_, html) = act(&app, "/admin/products/bulk", &form("delete", &[], false)).await;
        assert!(message(&html).starts_with("Check the products to act on first"), "{html}");
        let (_, html) = act(&app, "/admin/products/bulk", &form("restore", &products[2..], false)).await;
        assert!(message(&html).starts_with("None of the checked products is in the trash"), "{html}");
        let too_many: Vec<i64> = (1..=101).collect();
        assert_eq!(page(&app, "POST", "/admin/products/bulk", &form("delete", &too_many, true), &[]).await.0, StatusCode::BAD_REQUEST);
        assert_eq!(page(&app, "POST", "/admin/products/bulk", "action=explode&ids=1", &[]).await.0, StatusCode::BAD_REQUEST);
    }

    // Issue 32: everything that went with a category is listed, a page at a time.
    async fn admin_lists_a_cascade_batch(db: &TestDb) {
        let app = app(db).await;
        let garden = category(&app, "garden").await;
        let mut went = Vec::new();
        for n in 0..55 {
            went.push(product(&app, garden, &format!("SEED-{n:02}")).await["id"].as_i64().expect("id"));
        }
        // Trashed before, on its own: not in the category's batch.
        call(&app, "DELETE", &format!("/products/{}", went[0]), None).await;
        let alone = went.remove(0);
        act(&app, &format!("/admin/categories/{garden}/delete"), "").await;
        let (status, _, html) = page(&app, "GET", &format!("/admin/categories/{garden}/batch"), "", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains("54 products"), "{html}");
        assert_eq!(list_ids(&html), went[..50]);
        let (_, _, html) = page(&app, "GET", &format!("/admin/categories/{garden}/batch?page=2"), "", &[]).await;
        assert_eq!(list_ids(&html), went[50..]);
        assert!(!list_ids(&html).contains(&alone));
        assert_eq!(page(&app, "GET", "/admin/categories/999999/batch", "", &[]).await.0, StatusCode::NOT_FOUND);
    }

    // Issue 32: a failure of the service is a page that names the request, as the log does.
    async fn a_failing_admin_page_names_its_request(db: &TestDb) {
        let app = app(db).await;
        db.exec("DROP TABLE product").await;
        let (status, _, html) = page(&app, "GET", "/admin/products", "", &[]).await;
        assert_eq!(status, StatusCode::INTERNAL_SERVER_ERROR);
        let id = html.split("Request id: ").nth(1).and_then(|rest| rest.split(' ').next()).unwrap_or_else(|| panic!("{html}"));
        assert!(id.parse::<u64>().is_ok(), "the request's x-request-id: {id}");
    }

    async fn admin_pages_refuse_bad_input_with_pages(db: &TestDb) {
        let app = app(db).await;
        let cases: &[(&str, &str, &str, StatusCode)] = &[
            ("GET", "/admin/products?per_page=0", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/products?per_page=101", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/categories?page=1000001", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/products?page=0", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/products?page=-1", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/products?trashed=maybe", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/products?notice=123456", "", StatusCode::OK),
            ("GET", "/admin/products?unknown=1", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/products/x", "", StatusCode::BAD_REQUEST),
            ("GET", "/admin/nowhere", "", StatusCode::NOT_FOUND),
            ("POST", "/admin/products/1/explode", "", StatusCode::NOT_FOUND),
            ("POST", "/admin/categories/99999999999/delete", "", StatusCode::BAD_REQUEST),
            ("POST", "/admin/products/1/delete", "back=https://evil.example/", StatusCode::BAD_REQUEST),
            ("POST", "/admin/products/1/delete", "back=page%3D1%26notice%3D5", StatusCode::BAD_REQUEST),
            ("POST", "/admin/purge", "older_than_days=-1&nav=products", StatusCode::BAD_REQUEST),
            ("POST", "/admin/purge", "older_than_days=36501&nav=products", StatusCode::BAD_REQUEST),
            ("POST", "/admin/purge", "older_than_days=1&nav=elsewhere", StatusCode::BAD_REQUEST),
            ("GET", "/admin/purge", "", StatusCode::METHOD_NOT_ALLOWED),
        ];
        for (method, uri, form, expected) in cases {
            let (status, _, html) = page(&app, method, uri, form, &[]).await;
            assert_eq!(status, *expected, "{method} {uri} {form}: {html}");
            assert!(html.starts_with("<!doctype html>"), "{method} {uri}: a page, not JSON: {html}");
        }
        // A notice comes only from a token an action issued, never from the address.
        let (_, _, html) = page(&app, "GET", "/admin/products?notice=123456", "", &[]).await;
        assert!(!html.contains("id=\"message\""), "{html}");
        // Another site's form cannot drive the admin, nor its bulk actions.
        let (status, _, _) = page(&app, "POST", "/admin/products/bulk", "action=delete&ids=1&confirmed=yes", &[("sec-fetch-site", "cross-site")]).await;
        assert_eq!(status, StatusCode::FORBIDDEN);
        for header in [("sec-fetch-site", "cross-site"), ("sec-fetch-site", "same-site"), ("origin", "https://evil.example"), ("origin", "null")] {
            let (status, _, _) = page(&app, "POST", "/admin/purge", "older_than_days=0&nav=products", &[header]).await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{header:?}");
        }
        let (status, _, _) = page(&app, "POST", "/admin/purge", "older_than_days=0&nav=products&cutoff=2000-01-01T00%3A00%3A00Z&confirmed=yes", &[("origin", "http://localhost"), ("sec-fetch-site", "same-origin")]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // A confirmed purge names the cutoff its page counted with, never a future one.
        for form in ["older_than_days=0&nav=products&confirmed=yes", "older_than_days=0&nav=products&cutoff=2999-01-01T00%3A00%3A00Z&confirmed=yes", "older_than_days=0&nav=products&cutoff=yesterday&confirmed=yes"] {
            assert_eq!(page(&app, "POST", "/admin/purge", form, &[]).await.0, StatusCode::BAD_REQUEST, "{form}");
        }
        // A row gone for good since the page was drawn: the list says so (post/redirect/get).
        let (_, html) = act(&app, "/admin/products/424242/delete", "").await;
        assert_eq!(message(&html), "Product 424242 no longer exists (it was deleted for good): nothing was changed.");
        // The bulk form is a form: another site's text/plain post with the same fields is not.
        let (status, _) = raw(&app, "POST", "/admin/products/bulk", Some("text/plain"), "action=delete&ids=1&confirmed=yes").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        // A page whose host name its owner pointed at this machine (DNS rebinding) is refused,
        // the admin's pages and the API alike.
        let request = Request::builder().uri("/admin/products").header("host", "evil.example:3000").body(Body::empty()).expect("request");
        let response = app.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        let html = response.into_body().collect().await.expect("body").to_bytes();
        assert!(String::from_utf8_lossy(&html).contains("Unknown host"));
        let request = Request::builder().method("POST").uri("/trash/purge?older_than_secs=0").header("host", "evil.example").header("content-type", "application/json").body(Body::empty()).expect("request");
        let response = app.clone().oneshot(request).await.expect("response");
        assert_eq!(response.status(), StatusCode::BAD_REQUEST);
        // No admin page may be framed by another site (clickjacking).
        let response = app.clone().oneshot(Request::builder().uri("/admin/products").body(Body::empty()).expect("request")).await.expect("response");
        assert_eq!(response.headers().get("x-frame-options").and_then(|value| value.to_str().ok()), Some("DENY"));
        assert_eq!(response.headers().get("content-security-policy").and_then(|value| value.to_str().ok()), Some("frame-ancestors 'none'"));
        // The JSON API keeps its JSON errors.
        let (status, body) = call(&app, "GET", "/nowhere", None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::NOT_FOUND, Some("no_route")));
        // No admin page is kept by the browser: Back draws the rows as they are now.
        assert_eq!(response.headers().get("cache-control").and_then(|value| value.to_str().ok()), Some("no-store"));
    }

    // Issue 32: "Delete forever" from a page drawn before a restore (Back, another tab) deletes
    // nothing; the decision is made in the `DELETE`, so no restore can slip in between.
    async fn a_stale_delete_forever_deletes_nothing_active(db: &TestDb) {
        let app = app(db).await;
        let garden = category(&app, "garden").await;
        let rake = product(&app, garden, "RAKE").await["id"].as_i64().expect("id");
        let hoe = product(&app, garden, "HOE").await["id"].as_i64().expect("id");
        // Trash the category (its two products go with it), restore it, then press the button
        // the trash page showed before the restore.
        page(&app, "POST", &format!("/admin/categories/{garden}/delete"), "", &[]).await;
        let (status, _, _) = page(&app, "POST", &format!("/admin/categories/{garden}/restore"), "", &[]).await;
        assert_eq!(status, StatusCode::SEE_OTHER);
        // Confirmed, as a page drawn before the restore would send it; and unconfirmed; and
        // checked in a stale trash list: each is refused, back on the list, nothing deleted.
        for form in ["confirmed=yes", ""] {
            let (_, html) = act(&app, &format!("/admin/categories/{garden}/force-delete"), form).await;
            assert_eq!(message(&html), format!("Category {garden} is not in the trash (it was restored since this page was drawn): nothing was deleted."));
        }
        let (_, html) = act(&app, "/admin/categories/bulk", &format!("action=force-delete&ids={garden}&confirmed=yes")).await;
        assert_eq!(message(&html), "None of the checked categories is in the trash any more: nothing was changed.");
        for id in [rake, hoe] {
            assert_eq!(call(&app, "GET", &format!("/products/{id}"), None).await.0, StatusCode::OK, "product {id} is active");
        }
        // The same for a product restored since the page was drawn, and in the JSON API.
        call(&app, "DELETE", &format!("/products/{rake}"), None).await;
        call(&app, "POST", &format!("/products/{rake}/restore"), None).await;
        let (_, html) = act(&app, &format!("/admin/products/{rake}/force-delete"), "confirmed=yes").await;
        assert!(message(&html).starts_with(&format!("Product {rake} is not in the trash")), "{html}");
        let (status, body) = call(&app, "DELETE", &format!("/trash/products/{rake}"), None).await;
        assert_eq!((status, body["error"]["code"].as_str()), (StatusCode::CONFLICT, Some("not_in_trash")));
        assert_eq!(call(&app, "GET", &format!("/products/{rake}"), None).await.0, StatusCode::OK);
        // From the trash it still works, and a missing row is 404.
        call(&app, "DELETE", &format!("/products/{hoe}"), None).await;
        act(&app, &format!("/admin/products/{hoe}/force-delete"), "confirmed=yes").await;
        let (_, html) = act(&app, &format!("/admin/products/{hoe}/force-delete"), "confirmed=yes").await;
        assert!(message(&html).contains("no longer exists"), "{html}");
    }

    // Issue 32: a category's "Delete forever" first says what goes with it, and deletes
    // nothing until confirmed.
    async fn delete_forever_asks_first_with_the_counts(db: &TestDb) {
        let app = app(db).await;
        let garden = category(&app, "garden").await;
        for sku in ["RAKE", "HOE"] {
            product(&app, garden, sku).await;
        }
        page(&app, "POST", &format!("/admin/categories/{garden}/delete"), "", &[]).await;
        let (status, _, html) = page(&app, "POST", &format!("/admin/categories/{garden}/force-delete"), "", &[]).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("Delete category {garden} (“garden”) for good?")), "{html}");
        assert!(html.contains("<li>1 category</li>") && html.contains("<li>2 products, deleted for good with it</li>"), "{html}");
        let (status, trash) = call(&app, "GET", "/trash/products", None).await;
        assert_eq!((status, trash["total"].clone()), (StatusCode::OK, json!(2)), "nothing deleted yet");
        act(&app, &format!("/admin/categories/{garden}/force-delete"), "confirmed=yes").await;
        let (_, trash) = call(&app, "GET", "/trash/products", None).await;
        assert_eq!(trash["total"], json!(0));
    }

    // Issue 32: a purge's notice counts what its confirmation page listed, the products a
    // category takes with it included; a second press of a stale "Move to trash" says that
    // nothing changed instead of claiming it.
    async fn admin_purge_counts_what_categories_take_along(db: &TestDb) {
        let app = app(db).await;
        let garden = category(&app, "garden").await;
        let rake = product(&app, garden, "RAKE").await["id"].as_i64().expect("id");
        product(&app, garden, "HOE").await;
        act(&app, &format!("/admin/products/{rake}/delete"), "").await;
        let (_, html) = act(&app, &format!("/admin/products/{rake}/delete"), "").await;
        assert!(html.contains("role=\"alert\"") && message(&html).contains("was already in the trash"), "{html}");
        act(&app, &format!("/admin/categories/{garden}/delete"), "").await;
        let (_, html, confirmed) = purge_asked(&app, 0).await;
        assert!(html.contains("<li>2 products</li>") && html.contains("<li>1 category</li>"), "{html}");
        let (_, html) = act(&app, "/admin/purge", &confirmed).await;
        assert_eq!(message(&html), "Purged 3 rows from the trash.");
        let (_, _, html) = page(&app, "GET", "/admin/products?trashed=with", "", &[]).await;
        assert_eq!(list_ids(&html), Vec::<i64>::new());
    }

    // Issue 32: the JSON API's writes refuse what a browser sends from another site's page,
    // and the trash is listed a page at a time.
    async fn the_json_api_refuses_cross_site_writes_and_pages_the_trash(db: &TestDb) {
        let app = app(db).await;
        let tools = category(&app, "tools").await;
        let mut ids = Vec::new();
        for sku in ["A", "B", "C"] {
            let id = product(&app, tools, sku).await["id"].as_i64().expect("id");
            call(&app, "DELETE", &format!("/products/{id}"), None).await;
            ids.push(id);
        }
        let cross_site = |method: &str, uri: String, header: (&'static str, &'static str)| {
            Request::builder()
                .method(method)
                .uri(uri)
                .header("host", "localhost")
                .header("content-type", "application/x-www-form-urlencoded")
                .header(header.0, header.1)
                .body(Body::from("x=1"))
                .expect("request")
        };
        for header in [("sec-fetch-site", "cross-site"), ("origin", "https://evil.example"), ("origin", "null")] {
            for (method, uri) in [("POST", format!("/products/{}/restore", ids[0])), ("POST", "/trash/purge?older_than_secs=0".to_owned()), ("DELETE", format!("/trash/products/{}", ids[1]))] {
                let response = app.clone().oneshot(cross_site(method, uri.clone(), header)).await.expect("response");
                assert_eq!(response.status(), StatusCode::FORBIDDEN, "{method} {uri} {header:?}");
            }
        }
        let (status, trash) = call(&app, "GET", "/trash/products?per_page=2", None).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!((trash["items"].as_array().map(Vec::len), trash["total"].clone()), (Some(2), json!(3)), "nothing was restored or purged: {trash}");
        let (_, last) = call(&app, "GET", "/trash/products?per_page=2&page=1", None).await;
        assert_eq!(last["items"].as_array().map(Vec::len), Some(1));
        assert_eq!(call(&app, "GET", "/trash/products?per_page=101", None).await.0, StatusCode::BAD_REQUEST);
        // The service's own pages (same origin) and clients that are not browsers pass.
        let response = app.clone().oneshot(cross_site("POST", format!("/products/{}/restore", ids[0]), ("sec-fetch-site", "same-origin"))).await.expect("response");
        assert_eq!(response.status(), StatusCode::OK);
        let (status, _) = call(&app, "POST", &format!("/products/{}/restore", ids[1]), None).await;
        assert_eq!(status, StatusCode::OK);
    }
    async fn a_product_through_its_whole_life(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let pen = product(&app, shop, "PEN").await;
        let id = pen["id"].as_i64().expect("id");
        assert_eq!(call(&app, "GET", &format!("/products/{id}"), None).await, (StatusCode::OK, pen.clone()));
        let (status, list) = call(&app, "GET", "/products?page=0&per_page=10", None).await;
        assert_eq!((status, list["total"].clone(), list["items"][0]["sku"].clone()), (StatusCode::OK, json!(1), json!("PEN")));

        let (status, deleted) = call(&app, "DELETE", &format!("/products/{id}"), None).await;
        assert_eq!(status, StatusCode::OK);
        let deleted_at = deleted["deleted_at"].clone();
        assert!(deleted_at.is_string(), "{deleted}");
        let (status, again) = call(&app, "DELETE", &format!("/products/{id}"), None).await;
        assert_eq!((status, again["deleted_at"].clone()), (StatusCode::OK, deleted_at.clone()), "idempotent");

        let (status, gone) = call(&app, "GET", &format!("/products/{id}"), None).await;
        assert_eq!((status, gone["error"]["code"].clone(), gone["error"]["deleted_at"].clone()), (StatusCode::GONE, json!("gone"), deleted_at.clone()));
        let (status, _) = call(&app, "PUT", &format!("/products/{id}"), Some(json!({ "price": 5 }))).await;
        assert_eq!(status, StatusCode::GONE, "a trashed product cannot be edited");
        let (status, trash) = call(&app, "GET", "/trash/products", None).await;
        assert_eq!((status, trash["items"].as_array().map(Vec::len), trash["total"].clone()), (StatusCode::OK, Some(1), json!(1)));

        let (status, restored) = call(&app, "POST", &format!("/products/{id}/restore"), None).await;
        assert_eq!((status, restored["deleted_at"].clone()), (StatusCode::OK, Value::Null));
        let (status, edited) = call(&app, "PUT", &format!("/products/{id}"), Some(json!({ "price": 5, "name": "pen" }))).await;
        assert_eq!((status, edited["price"].clone(), edited["name"].clone()), (StatusCode::OK, json!(5), json!("pen")));

        let (status, refused) = call(&app, "DELETE", &format!("/trash/products/{id}"), None).await;
        assert_eq!((status, refused["error"]["code"].clone()), (StatusCode::CONFLICT, json!("not_in_trash")));
        call(&app, "DELETE", &format!("/products/{id}"), None).await;
        assert_eq!(call(&app, "DELETE", &format!("/trash/products/{id}"), None).await.0, StatusCode::NO_CONTENT);
        assert_eq!(call(&app, "GET", &format!("/products/{id}"), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, "POST", &format!("/products/{id}/restore"), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, "DELETE", &format!("/products/{id}"), None).await.0, StatusCode::NOT_FOUND);
    }

    async fn conflicts_answer_409_with_a_json_body(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let first = product(&app, shop, "SKU-1").await;
        let (status, taken) = call(&app, "POST", "/products", Some(json!({ "category_id": shop, "sku": "SKU-1", "name": "x", "price": 1 }))).await;
        assert_eq!((status, taken["error"]["code"].clone()), (StatusCode::CONFLICT, json!("unique_conflict")));

        let id = first["id"].as_i64().expect("id");
        call(&app, "DELETE", &format!("/products/{id}"), None).await;
        product(&app, shop, "SKU-1").await;
        let (status, conflict) = call(&app, "POST", &format!("/products/{id}/restore"), None).await;
        assert_eq!((status, conflict["error"]["code"].clone()), (StatusCode::CONFLICT, json!("unique_conflict")));
        assert!(conflict["error"]["message"].as_str().is_some_and(|m| m.contains("sku")), "{conflict}");
    }

    async fn categories_cascade_to_their_products(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let id = product(&app, shop, "A").await["id"].as_i64().expect("id");
        assert_eq!(call(&app, "DELETE", &format!("/categories/{shop}"), None).await.0, StatusCode::OK);
        assert_eq!(call(&app, "GET", &format!("/products/{id}"), None).await.0, StatusCode::GONE);
        let (status, orphan) = call(&app, "POST", &format!("/products/{id}/restore"), None).await;
        assert_eq!((status, orphan["error"]["code"].clone()), (StatusCode::CONFLICT, json!("parent_trashed")));
        let (status, refused) = call(&app, "POST", "/products", Some(json!({ "category_id": shop, "sku": "B", "name": "b", "price": 1 }))).await;
        assert_eq!((status, refused["error"]["code"].clone()), (StatusCode::CONFLICT, json!("parent_trashed")));
        assert_eq!(call(&app, "POST", &format!("/categories/{shop}/restore"), None).await.0, StatusCode::OK);
        assert_eq!(call(&app, "GET", &format!("/products/{id}"), None).await.0, StatusCode::OK, "restored with its category");
    }

    async fn purge_empties_old_trash(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let id = product(&app, shop, "OLD").await["id"].as_i64().expect("id");
        product(&app, shop, "KEPT").await;
        call(&app, "DELETE", &format!("/products/{id}"), None).await;
        let (status, kept) = call(&app, "POST", "/trash/purge?older_than_secs=3600", None).await;
        assert_eq!((status, kept["removed"].clone()), (StatusCode::OK, json!(0)), "trashed just now");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
        let (status, purged) = call(&app, "POST", "/trash/purge?older_than_secs=0", None).await;
        assert_eq!((status, purged["removed"].clone()), (StatusCode::OK, json!(1)));
        assert_eq!(call(&app, "GET", &format!("/products/{id}"), None).await.0, StatusCode::NOT_FOUND);
        assert_eq!(call(&app, "GET", "/products", None).await.1["total"], json!(1));
    }

    async fn malformed_input_is_a_client_error(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        for (method, uri) in [("GET", "/products/abc"), ("DELETE", "/products/1.5"), ("POST", "/products/x/restore"), ("DELETE", "/trash/products/-"), ("DELETE", "/categories/%20")] {
            let (status, body) = call(&app, method, uri, None).await;
            assert_eq!((status, body["error"]["code"].clone()), (StatusCode::BAD_REQUEST, json!("bad_request")), "{method} {uri}");
        }
        for uri in ["/products?per_page=0", "/products?per_page=abc", "/products?page=-1", "/trash/purge", "/trash/purge?older_than_secs=-5"] {
            let method = if uri.starts_with("/trash") { "POST" } else { "GET" };
            assert_eq!(call(&app, method, uri, None).await.0, StatusCode::BAD_REQUEST, "{uri}");
        }
        let bodies = [
            (Some("application/json"), "{not json"),
            (Some("application/json"), r#"{"sku": "A"}"#),
            (Some("application/json"), r#"{"category_id": "one", "sku": "A", "name": "a", "price": 1}"#),
        ];
        for (content_type, body) in bodies {
            let (status, error) = raw(&app, "POST", "/products", content_type, body).await;
            assert_eq!((status, error["error"]["code"].clone()), (StatusCode::UNPROCESSABLE_ENTITY, json!("invalid_body")), "{body}");
        }
        for (content_type, body) in [(Some("text/plain"), r#"{"category_id": 1, "sku": "A", "name": "a", "price": 1}"#), (None, "")] {
            let (status, error) = raw(&app, "POST", "/products", content_type, body).await;
            assert_eq!((status, error["error"]["code"].clone()), (StatusCode::UNSUPPORTED_MEDIA_TYPE, json!("unsupported_media_type")), "{body}");
        }
        for body in [r#"{"name": 5}"#, "[]", ""] {
            let (status, _) = raw(&app, "POST", "/categories", Some("application/json"), body).await;
            assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "category body {body}");
        }
        let (status, _) = raw(&app, "PUT", "/products/1", Some("application/json"), "{").await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "product change body");
        let (status, _) = call(&app, "POST", "/products", Some(json!({ "category_id": 9999, "sku": "A", "name": "a", "price": 1 }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "no such category");
        let id = product(&app, shop, "P").await["id"].as_i64().expect("id");
        let (status, _) = call(&app, "PUT", &format!("/products/{id}"), Some(json!({ "colour": "red" }))).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "unknown fields are refused");
        assert_eq!(call(&app, "GET", "/products/2147483647", None).await.0, StatusCode::NOT_FOUND);
    }

    async fn no_client_input_gets_a_5xx(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let pen = product(&app, shop, "PEN").await;
        let corpus = bad_input_corpus(pen["id"].as_i64().expect("id"));
        let mut server_errors = Vec::new();
        for input in &corpus {
            let (status, body) = send(&app, input.method, &input.uri, input.content_type, input.body.clone()).await;
            if status.is_server_error() {
                server_errors.push(format!("{} {} {:?} -> {status}", input.method, input.uri, String::from_utf8_lossy(&input.body[..input.body.len().min(80)])));
            }
            if status.is_client_error() {
                assert!(body["error"]["code"].is_string(), "{} {} -> {status} without a JSON error body", input.method, input.uri);
            }
        }
        println!("http corpus on {:?}: {} bad requests, {} answered 5xx", db.backend, corpus.len(), server_errors.len());
        assert!(server_errors.is_empty(), "{server_errors:#?}");
        // Nothing of it was stored, and the pen is as it was.
        let (_, list) = call(&app, "GET", "/products", None).await;
        assert_eq!(list["total"], json!(1), "{list}");
        use sea_orm::PaginatorTrait;
        let categories = soft_delete_service::category::Entity::all_objects().count(&db.conn).await.expect("count");
        assert_eq!(categories, 1, "only the shop");
        assert_eq!(call(&app, "GET", &format!("/products/{}", pen["id"]), None).await, (StatusCode::OK, pen.clone()));
    }

    async fn bad_input_gets_the_status_that_names_it(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let body = |sku: &str, name: &str| json!({ "category_id": shop, "sku": sku, "name": name, "price": 1 }).to_string().into_bytes();
        let expect = [
            ("GET", "/products?page=18446744073709551615&per_page=100".to_owned(), None, Vec::new(), StatusCode::BAD_REQUEST, "bad_request"),
            ("GET", "/products?page=100000000000000000".to_owned(), None, Vec::new(), StatusCode::BAD_REQUEST, "bad_request"),
            ("POST", "/products".to_owned(), Some("text/plain"), body("A", "a"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ("POST", "/products".to_owned(), None, body("A", "a"), StatusCode::UNSUPPORTED_MEDIA_TYPE, "unsupported_media_type"),
            ("POST", "/categories".to_owned(), Some("application/json"), format!(r#"{{"name": "{}"}}"#, "a".repeat(100 * 1024)).into_bytes(), StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large"),
            ("POST", "/products".to_owned(), Some("application/json"), body("A", "tab\there"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("POST", "/products".to_owned(), Some("application/json"), body("A", "a\u{0}b"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("POST", "/products".to_owned(), Some("application/json"), body(&"S".repeat(256), "a"), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("POST", "/categories".to_owned(), Some("application/json"), json!({ "name": "n".repeat(300) }).to_string().into_bytes(), StatusCode::UNPROCESSABLE_ENTITY, "invalid_body"),
            ("GET", "/nope".to_owned(), None, Vec::new(), StatusCode::NOT_FOUND, "no_route"),
            ("PATCH", "/products".to_owned(), None, Vec::new(), StatusCode::METHOD_NOT_ALLOWED, "method_not_allowed"),
        ];
        for (method, uri, content_type, body, status, code) in expect {
            let (got, error) = send(&app, method, &uri, content_type, body).await;
            assert_eq!((got, error["error"]["code"].clone()), (status, json!(code)), "{method} {uri}");
        }
        // 255 characters, multi-byte ones included, are stored as sent on every backend.
        let longest = "é".repeat(255);
        let (status, row) = send(&app, "POST", "/products", Some("application/json"), body(&"S".repeat(255), &longest)).await;
        assert_eq!((status, row["name"].clone()), (StatusCode::CREATED, json!(longest)), "{row}");
    }

    async fn concurrent_requests_keep_every_invariant(db: &TestDb) {
        let app = app(db).await;
        let shop = category(&app, "shop").await;
        let mut ids = Vec::new();
        for i in 0..5 {
            ids.push(product(&app, shop, &format!("C{i}")).await["id"].as_i64().expect("id"));
        }
        let mut handles = Vec::new();
        for n in 0..120usize {
            let app = app.clone();
            let id = ids[n % ids.len()];
            let (method, uri, body) = match n % 3 {
                0 => ("DELETE", format!("/products/{id}"), None),
                1 => ("POST", format!("/products/{id}/restore"), None),
                _ => ("PUT", format!("/products/{id}"), Some(json!({ "price": n }))),
            };
            handles.push(tokio::spawn(async move { (id, method, call(&app, method, &uri, body).await) }));
        }
        let mut delete_stamps: Vec<(i64, Value)> = Vec::new();
        for handle in handles {
            let (id, method, (status, body)) = handle.await.expect("request task");
            match method {
                "DELETE" => {
                    assert_eq!(status, StatusCode::OK, "{body}");
                    delete_stamps.push((id, body["deleted_at"].clone()));
                }
                "POST" => assert_eq!(status, StatusCode::OK, "{body}"),
                _ => assert!(status == StatusCode::OK || status == StatusCode::GONE, "{status} {body}"),
            }
        }
        let (_, trash) = call(&app, "GET", "/trash/products?per_page=100", None).await;
        let (_, active) = call(&app, "GET", "/products?per_page=100", None).await;
        let trash = trash["items"].as_array().cloned().unwrap_or_default();
        assert_eq!(trash.len() as i64 + active["total"].as_i64().unwrap_or(-1), ids.len() as i64, "no row lost, none both active and trashed");
        for row in &trash {
            let id = row["id"].as_i64().expect("id");
            assert!(
                delete_stamps.iter().any(|(deleted, stamp)| *deleted == id && *stamp == row["deleted_at"]),
                "row {id}: its deleted_at was returned by a DELETE"
            );
        }
    }
}

/// Throughput and latency of DELETE and RESTORE, in process; figures, not assertions on time.
async fn measure(backend: Backend) {
    let db = TestDb::new(backend).await;
    let app = app(&db).await;
    let shop = category(&app, "shop").await;
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(
            product(&app, shop, &format!("L{i}")).await["id"]
                .as_i64()
                .expect("id"),
        );
    }
    for (name, method, path) in [("delete", "DELETE", ""), ("restore", "POST", "/restore")] {
        let mut latencies = Vec::new();
        let started = Instant::now();
        for round in 0..6 {
            for id in &ids {
                let uri = format!("/products/{id}{path}");
                let one = Instant::now();
                let (status, _) = call(&app, method, &uri, None).await;
                latencies.push(one.elapsed());
                assert_eq!(status, StatusCode::OK, "{name} round {round}");
            }
        }
        let total = started.elapsed();
        latencies.sort();
        let percentile = |p: usize| latencies[(latencies.len() * p / 100).min(latencies.len() - 1)];
        println!(
            "service {name} on {backend:?}: {} requests, {:.0} requests/s, p50 {:.2?}, p99 {:.2?}",
            latencies.len(),
            latencies.len() as f64 / total.as_secs_f64(),
            percentile(50),
            percentile(99)
        );
    }
}

#[tokio::test]
async fn load_sqlite() {
    measure(Backend::Sqlite).await;
}

#[tokio::test]
#[cfg_attr(
    not(soft_delete_test_postgres),
    ignore = "set SOFT_DELETE_TEST_POSTGRES_URL to run"
)]
async fn load_postgres() {
    measure(Backend::Postgres).await;
}
