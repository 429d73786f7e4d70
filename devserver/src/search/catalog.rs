//! The products served by the fake search backend.

use std::path::Path;

use serde_json::{Map, Value};

use crate::server::ServerError;

const EMBEDDED_PRODUCTS: &str = include_str!("../../data/products.json");

/// One record of the index.
#[derive(Debug, Clone, PartialEq)]
pub struct Product {
    /// The record's `objectID`.
    pub object_id: String,
    /// The whole record as stored (including `objectID`).
    pub record: Map<String, Value>,
}

impl Product {
    /// A string attribute of the record.
    pub fn text(&self, attribute: &str) -> Option<&str> {
        self.record.get(attribute).and_then(Value::as_str)
    }
}

/// All products, in catalog order.
#[derive(Debug, Clone, PartialEq)]
pub struct Catalog {
    products: Vec<Product>,
}

impl Catalog {
    /// The 24 products embedded in the binary (`devserver/data/products.json`).
    pub fn embedded() -> Result<Self, ServerError> {
        Catalog::from_json(EMBEDDED_PRODUCTS)
    }

    /// Products from a JSON file holding an array of records.
    pub fn from_file(path: &Path) -> Result<Self, ServerError> {
        let text = std::fs::read_to_string(path).map_err(|err| {
            ServerError::Catalog(format!("cannot read {}: {err}", path.display()))
        })?;
        Catalog::from_json(&text)
    }

    /// Products from JSON text: an array of objects, each with an `objectID`
    /// (string, or number turned into a string).
    pub fn from_json(text: &str) -> Result<Self, ServerError> {
        let records: Vec<Map<String, Value>> = serde_json::from_str(text)
            .map_err(|err| ServerError::Catalog(format!("not an array of records: {err}")))?;
        let products = records
            .into_iter()
            .enumerate()
            .map(|(i, mut record)| {
                let object_id = match record.get("objectID") {
                    Some(Value::String(id)) if !id.is_empty() => id.clone(),
                    Some(Value::Number(n)) => n.to_string(),
                    _ => return Err(ServerError::Catalog(format!("record {i} has no objectID"))),
                };
                record.insert("objectID".to_string(), Value::String(object_id.clone()));
                Ok(Product { object_id, record })
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Catalog { products })
    }

    /// Every product.
    pub fn products(&self) -> &[Product] {
        &self.products
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn embedded_catalog_has_24_products() {
        let catalog = Catalog::embedded().expect("catalog");
        assert_eq!(catalog.products().len(), 24);
        assert_eq!(catalog.products()[0].object_id, "1");
        assert!(catalog.products()[23].record["price"].is_number());
    }

    #[test]
    fn records_need_object_ids() {
        assert!(Catalog::from_json(r#"[{"name":"x"}]"#).is_err());
        assert!(Catalog::from_json(r#"{"name":"x"}"#).is_err());
        let catalog = Catalog::from_json(r#"[{"objectID":7,"name":"x"}]"#).expect("catalog");
        assert_eq!(catalog.products()[0].object_id, "7");
    }
}
