//! The Unleash provider behind the [`Provider`] boundary: its own methods, unchanged.

use super::UnleashProvider;
use crate::adapters::provider::{Change, Desired, FlagState, Note, Provider, Request, Unmanaged};
use crate::domain::config::ProviderKind;
use crate::domain::error::Result;
use crate::domain::exposure::Bucketing;
use crate::ports::log::Logger;

#[async_trait::async_trait(?Send)]
impl Provider for UnleashProvider {
    fn kind(&self) -> ProviderKind {
        ProviderKind::Unleash
    }

    fn describe(&self) -> String {
        UnleashProvider::describe(self)
    }

    fn label(&self) -> &'static str {
        "Unleash"
    }

    fn set_log(&mut self, out: Logger) {
        UnleashProvider::set_log(self, out);
    }

    async fn read(&self) -> Result<FlagState> {
        UnleashProvider::read(self).await
    }

    async fn read_for_kill(&self) -> Result<FlagState> {
        UnleashProvider::read_for_kill(self).await
    }

    fn unmanaged(&self, state: &FlagState) -> Vec<Unmanaged> {
        UnleashProvider::unmanaged(self, state)
    }

    fn plan(&self, expected: &FlagState, desired: &Desired, note: &Note) -> Vec<Request> {
        UnleashProvider::preview(self, expected, desired, note)
    }

    async fn apply(
        &self,
        expected: &FlagState,
        desired: &Desired,
        note: &Note,
    ) -> Result<FlagState> {
        UnleashProvider::write(self, expected, desired, note).await
    }

    async fn changes(&self, limit: usize) -> Result<Vec<Change>> {
        UnleashProvider::changes(self, limit).await
    }

    async fn add_times(&self, state: &mut FlagState) -> Result<()> {
        UnleashProvider::add_times(self, state).await
    }

    fn bucketing(&self, _state: &FlagState) -> Result<Bucketing> {
        Ok(UnleashProvider::bucketing(self))
    }
}
