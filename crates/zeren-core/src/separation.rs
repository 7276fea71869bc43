//! 三员分立 beyond who holds which duty: the administrators restrain each other. From the web or
//! the API no administrator resets, disables or changes the rights of an administrator (that is
//! done on the server, `zeren account reset NAME`, audited as the server console), and the
//! security administrator grants no more than an account may hold.

/// Who an account is, as far as separation is concerned.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Duty {
    User,
    System,
    Security,
    Audit,
}

/// What the security administrator may do to an account from the web.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Act {
    ResetPassword,
    Disable,
    Enable,
    ChangeGrants,
}

/// Why an act is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refusal {
    /// The account is an administrator's: only the server console changes it.
    Administrator,
    /// Administering a top unit is the system administrator's alone: granting it would make a
    /// second system administrator.
    TopUnitAdminister,
}

/// Whether `act` may be done from the web to an account of `target` duty.
pub fn may_act_on(target: Duty, _act: Act) -> Result<(), Refusal> {
    match target {
        Duty::User => Ok(()),
        Duty::System | Duty::Security | Duty::Audit => Err(Refusal::Administrator),
    }
}

/// Whether an account of `target` duty may be given a grant: `administer` says the level, and
/// `top_unit` whether the unit has no parent.
pub fn may_grant(target: Duty, administer: bool, top_unit: bool) -> Result<(), Refusal> {
    may_act_on(target, Act::ChangeGrants)?;
    if administer && top_unit {
        return Err(Refusal::TopUnitAdminister);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn administrators_are_changed_on_the_server_only() {
        for d in [Duty::System, Duty::Security, Duty::Audit] {
            for act in [
                Act::ResetPassword,
                Act::Disable,
                Act::Enable,
                Act::ChangeGrants,
            ] {
                assert_eq!(may_act_on(d, act), Err(Refusal::Administrator));
            }
            assert_eq!(may_grant(d, false, false), Err(Refusal::Administrator));
        }
        assert_eq!(may_act_on(Duty::User, Act::ResetPassword), Ok(()));
    }

    #[test]
    fn nobody_is_made_a_second_system_administrator() {
        assert_eq!(
            may_grant(Duty::User, true, true),
            Err(Refusal::TopUnitAdminister)
        );
        assert_eq!(may_grant(Duty::User, true, false), Ok(()));
        assert_eq!(may_grant(Duty::User, false, true), Ok(()));
    }
}
