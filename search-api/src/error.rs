//! Error responses: `{"error": "..."}` with a 4xx status for the user's mistakes, 500 otherwise.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

use crate::params::ParamError;

/// An error a handler returns.
#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    /// Return `400 Bad Request`: a query parameter is wrong.
    #[error("{0}")]
    BadParam(#[from] ParamError),
    /// Return `404 Not Found`.
    #[error("{0}")]
    NotFound(String),
    /// Return `500 Internal Server Error`; the details are logged, not shown.
    #[error("internal error: {0}")]
    Internal(String),
}

impl ApiError {
    /// The HTTP status of the error.
    pub fn status(&self) -> StatusCode {
        match self {
            ApiError::BadParam(_) => StatusCode::BAD_REQUEST,
            ApiError::NotFound(_) => StatusCode::NOT_FOUND,
            ApiError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The message shown to the user.
    pub fn public_message(&self) -> String {
        match self {
            ApiError::Internal(detail) => {
                tracing::error!(error = %detail, "internal error");
                "internal error".to_string()
            }
            other => other.to_string(),
        }
    }
}

impl From<indexer::index::IndexError> for ApiError {
    fn from(e: indexer::index::IndexError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl From<indexer::store::StoreError> for ApiError {
    fn from(e: indexer::store::StoreError) -> ApiError {
        ApiError::Internal(e.to_string())
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let status = self.status();
        (
            status,
            Json(serde_json::json!({ "error": self.public_message() })),
        )
            .into_response()
    }
}
