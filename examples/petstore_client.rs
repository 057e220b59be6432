//! A tiny HTTP client for the pet store, tested against a stubborn mock of `specs/petstore.yaml`
//! the way a crate would test its own API client: start the mock from the provider's
//! document, point the client at it, add the answers the test needs, and end by checking that
//! every request the client made kept to the contract.
//!
//!     cargo run --example petstore_client
//!
//! It runs two clients: a correct one, whose requests all keep the contract, and one with a
//! bug (it sends `limit=0`, which the document forbids), which the contract check catches
//! although the mock answered every request. It exits with 1 if either outcome is not as
//! expected.

use serde::{Deserialize, Serialize};
use stubborn::{MockServer, Stub};

/// The client under test.
struct PetStore {
    base: String,
    http: reqwest::blocking::Client,
    /// The bug of the second client: page sizes are sent one too small.
    off_by_one: bool,
}

#[derive(Debug, Deserialize)]
struct Pet {
    id: i64,
    name: String,
}

#[derive(Serialize)]
struct NewPet<'a> {
    name: &'a str,
    tag: &'a str,
}

impl PetStore {
    fn new(base: String, off_by_one: bool) -> PetStore {
        PetStore {
            base,
            http: reqwest::blocking::Client::new(),
            off_by_one,
        }
    }

    fn list(&self, limit: u32) -> Result<Vec<Pet>, reqwest::Error> {
        let limit = if self.off_by_one { limit - 1 } else { limit };
        self.http
            .get(format!("{}/pets?limit={limit}", self.base))
            .send()?
            .error_for_status()?
            .json()
    }

    fn create(&self, name: &str, tag: &str) -> Result<Pet, reqwest::Error> {
        self.http
            .post(format!("{}/pets", self.base))
            .json(&NewPet { name, tag })
            .send()?
            .error_for_status()?
            .json()
    }

    /// `None` when the store has no such pet.
    fn get(&self, id: i64) -> Result<Option<Pet>, reqwest::Error> {
        let answer = self.http.get(format!("{}/pets/{id}", self.base)).send()?;
        if answer.status() == reqwest::StatusCode::NOT_FOUND {
            return Ok(None);
        }
        answer.error_for_status()?.json().map(Some)
    }
}

/// What a test of the client does with it.
fn use_client(client: &PetStore) -> Result<(), Box<dyn std::error::Error>> {
    let pets = client.list(1)?;
    println!("  listed {} pet(s)", pets.len());
    let created = client.create("Rex", "dog")?;
    println!("  created pet {} ({})", created.id, created.name);
    let found = client.get(created.id)?;
    println!("  found: {:?}", found.map(|p| p.name));
    if client.get(404)?.is_some() {
        return Err("a missing pet should be None".into());
    }
    Ok(())
}

/// Exercises a client against a fresh mock: the contract check's verdict first (it says why
/// the client failed, when it did), then the stubs' expectations, then the client's own errors.
fn exercise(off_by_one: bool) -> Result<(), Box<dyn std::error::Error>> {
    let spec = concat!(env!("CARGO_MANIFEST_DIR"), "/specs/petstore.yaml");
    let server = MockServer::start_blocking(spec)?;
    // The answer this test needs; the rest come from the document.
    server.register(
        Stub::operation("showPetById")
            .path_param("petId", "404")
            .prefer_status(404)
            .expect(1),
    )?;
    let used = use_client(&PetStore::new(server.uri(), off_by_one));
    let verdict = server.check_contract().and_then(|()| server.verify());
    // Checked here: nothing is left for the drop to check (it would panic on an unmet
    // expectation, hiding the error returned below).
    server.reset();
    verdict?;
    used
}

fn main() {
    println!("a correct client:");
    let correct = exercise(false);
    match &correct {
        Ok(()) => println!("  every request kept the contract\n"),
        Err(e) => println!("  unexpected: {e}\n"),
    }
    println!("a client with a bug:");
    let buggy = exercise(true);
    match &buggy {
        Ok(()) => println!("  unexpected: the contract check passed"),
        Err(e) => println!("  caught: {e}"),
    }
    if correct.is_err() || buggy.is_ok() {
        std::process::exit(1);
    }
}
