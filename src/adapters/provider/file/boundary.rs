//! The file provider behind the [`Provider`] boundary: its own methods, unchanged.

use super::FileProvider;
use crate::adapters::provider::{Desired, FlagState, Note, Provider, Request};
use crate::domain::config::ProviderKind;
use crate::domain::error::Result;
use crate::domain::exposure::Bucketing;

#[async_trait::async_trait(?Send)]
impl Provider for FileProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::File
    }

    fn describe(&self) -> String {
        FileProvider::describe(self)
    }

    fn label(&self) -> &'static str {
        "the flags file"
    }

    async fn read(&self) -> Result<FlagState> {
        FileProvider::read(self)
    }

    fn unmanaged(&self, state: &FlagState) -> Vec<crate::ports::provider::Unmanaged> {
        super::unmanaged(state)
    }

    fn plan(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        FileProvider::preview(self, expected, desired, note)
    }

    async fn apply(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        FileProvider::write(self, expected, desired, note).await
    }

    fn bucketing(&self, _state: &FlagState) -> Result<Bucketing> {
        Ok(FileProvider::bucketing(self))
    }
}
