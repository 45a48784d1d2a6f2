//! Privacy criteria: yes/no properties of a class table (k-anonymity, later l-diversity,
//! t-closeness), kept apart from risk models and utility metrics as in ARX.

pub mod k_anonymity;
pub mod l_diversity;
pub mod predicates;
pub mod t_closeness;
pub mod targets;
pub mod verdict;
